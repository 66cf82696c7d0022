// demangle_test.cpp: symbol names become the qualified function names people read: demangled, clone suffixes gone, no return type or parameters.
#include "symbolize/demangle.hpp"

#include <gtest/gtest.h>

namespace {

using refblame::analyzer::demangle;
using refblame::analyzer::display_function_name;
using refblame::analyzer::short_function_name;
using refblame::analyzer::strip_clone_suffix;

TEST(Demangle, GccCloneSuffixesAreStrippedFromCAndMangledNames)
{
    EXPECT_EQ(strip_clone_suffix("pin_many.constprop.0"), "pin_many");
    EXPECT_EQ(strip_clone_suffix("pin_request.isra.0"), "pin_request");
    EXPECT_EQ(strip_clone_suffix("main.cold"), "main");
    EXPECT_EQ(strip_clone_suffix("f.part.0.constprop.1"), "f");
    EXPECT_EQ(strip_clone_suffix("_ZN12_GLOBAL__N_16take_nEP3Obji.constprop.0"), "_ZN12_GLOBAL__N_16take_nEP3Obji");
    EXPECT_EQ(strip_clone_suffix("map_page"), "map_page");
}

TEST(Demangle, NonMangledAndInvalidNamesComeBackUnchanged)
{
    EXPECT_EQ(demangle("map_page"), "map_page");
    EXPECT_EQ(demangle("_Z"), "_Z");
    EXPECT_EQ(demangle("_Zgarbage!"), "_Zgarbage!");
    EXPECT_EQ(demangle("_ZN3FooD2Ev"), "Foo::~Foo()");
}

struct Case {
    const char *symbol;
    const char *shown;
};

class DisplayName : public ::testing::TestWithParam<Case> {};

TEST_P(DisplayName, IsTheQualifiedNameWithoutReturnTypeParametersOrClone)
{
    EXPECT_EQ(display_function_name(GetParam().symbol), GetParam().shown) << GetParam().symbol;
}

INSTANTIATE_TEST_SUITE_P(
    Symbols, DisplayName,
    ::testing::Values(Case{"map_page", "map_page"}, Case{"pin_many.constprop.0", "pin_many"},
                      Case{"_ZN5store7Session8rememberERKN8refblame7ref_ptrI3ObjEE", "store::Session::remember"},
                      Case{"_Z4holdI3ObjEN8refblame7ref_ptrIT_EERKS4_", "hold<Obj>"},
                      Case{"_ZZ10run_lambdaRKN8refblame7ref_ptrI3ObjEEENKUlS4_E_clES4_",
                           "run_lambda::{lambda}::operator()"},
                      Case{"_ZN12_GLOBAL__N_16take_nEP3Obji.constprop.0", "(anonymous namespace)::take_n"},
                      Case{"_ZNSt6vectorIiSaIiEE9push_backERKi", "std::vector<int, std::allocator<int> >::push_back"},
                      Case{"_ZNK3FooltERKS_", "Foo::operator<"}, Case{"_ZNK3FoocviEv", "Foo::operator int"},
                      Case{"_Znwm", "operator new"}, Case{"_ZN3FooD2Ev", "Foo::~Foo"},
                      Case{"_ZN3FooC2ERKN8refblame7ref_ptrI3ObjEE", "Foo::Foo"},
                      Case{"_ZN2ns4makeIiEESt6vectorIT_SaIS2_EEv", "ns::make<int>"},
                      Case{"_ZN2ns5applyIPFviEEEvT_", "ns::apply<void (*)(int)>"},
                      Case{"_ZNKSt8functionIFviEEclEi", "std::function<void (int)>::operator()"},
                      Case{"_ZN3FoolsEi", "Foo::operator<<"},
                      Case{"_ZZN3Foo3barEvENKUlvE_clEv", "Foo::bar::{lambda}::operator()"},
                      Case{"_ZZN5store7Session3runEvENKUlvE0_clEv", "store::Session::run::{lambda}::operator()"}));

TEST(ShortFunctionName, DecltypeReturnTypesAreDropped)
{
    EXPECT_EQ(short_function_name("decltype (::new ((void*)(0)) refblame::ref_ptr<Obj>((declval<refblame::ref_ptr<Obj> "
                                  "const&>)())) std::construct_at<refblame::ref_ptr<Obj>, refblame::ref_ptr<Obj> "
                                  "const&>(refblame::ref_ptr<Obj>*, refblame::ref_ptr<Obj> const&)"),
              "std::construct_at<refblame::ref_ptr<Obj>, refblame::ref_ptr<Obj> const&>");
}

TEST(ShortFunctionName, PlainDwarfNamesStayAsTheyAre)
{
    EXPECT_EQ(short_function_name("operator()"), "operator()");
    EXPECT_EQ(short_function_name("hold<Obj>"), "hold<Obj>");
    EXPECT_EQ(short_function_name("(anonymous namespace)::take_n"), "(anonymous namespace)::take_n");
}

} // namespace
