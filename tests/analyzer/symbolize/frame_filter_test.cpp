// frame_filter_test.cpp: the site is the innermost frame that is the user's code; refblame's and the C++ library's headers are skipped.
#include "symbolize/frame_filter.hpp"

#include <gtest/gtest.h>

namespace {

using refblame::analyzer::FrameFilter;
using refblame::analyzer::FramePatterns;
using refblame::analyzer::SourceFrame;

const SourceFrame op{"refblame_ref_get", "/work/lib/include/refblame/ref.h", 221};
const SourceFrame copy{"refblame::ref_ptr<Obj>::ref_ptr", "/usr/include/refblame/ref.hpp", 59};
const SourceFrame construct{"std::construct_at<refblame::ref_ptr<Obj> >", "/usr/include/c++/12/bits/stl_construct.h", 97};
const SourceFrame push_back{"std::vector<refblame::ref_ptr<Obj> >::push_back", "/usr/include/c++/12/bits/stl_vector.h", 1281};
const SourceFrame build{"store::Index::build", "/src/index.cpp", 37};
const SourceFrame caller{"main", "/src/main.cpp", 87};

TEST(FrameFilter, RefblameAndStandardLibraryHeadersAreSkippedToTheFirstUserFrame)
{
    FrameFilter f;
    auto c = f.choose({op, copy, construct, push_back, build, caller});
    EXPECT_EQ(c.index, 4u);
    EXPECT_FALSE(c.in_library);
}

TEST(FrameFilter, PageRefMacroInAUserFunctionIsThatFunction)
{
    FrameFilter f;
    auto c = f.choose({{"refblame_ref_inc", "/x/include/refblame/ref.h", 127}, {"map_page", "/src/mm.c", 16}});
    EXPECT_EQ(c.index, 1u);
}

TEST(FrameFilter, UsersOwnInlineHelperIsTheSite)
{
    FrameFilter f;
    auto c = f.choose({op, {"grab", "/src/mm.c", 39}, {"map_twice", "/src/mm.c", 44}});
    EXPECT_EQ(c.index, 1u);
}

TEST(FrameFilter, ChainWithoutUserFrameIsLibraryCodeAtItsOutermostFrame)
{
    FrameFilter f;
    auto c = f.choose({op, copy, construct});
    EXPECT_EQ(c.index, 2u);
    EXPECT_TRUE(c.in_library);
}

TEST(FrameFilter, FrameWithoutFileIsLibraryCodeOnlyWhenInNamespaceStd)
{
    FrameFilter f;
    EXPECT_FALSE(f.is_user_frame({"std::__invoke_impl<void>", "", 0}));
    EXPECT_FALSE(f.is_user_frame({"__gnu_cxx::__ops::__pred", "", 0}));
    EXPECT_TRUE(f.is_user_frame({"map_page", "", 0}));
}

TEST(FrameFilter, RelativeFileNamesMatchThePatternsToo)
{
    FrameFilter f;
    EXPECT_FALSE(f.is_user_frame({"refblame_ref_inc", "include/refblame/ref.h", 127}));
    EXPECT_FALSE(f.is_user_frame({"refblame_ref_inc", "refblame/page_ref.h", 12}));
}

TEST(FrameFilter, ExtraPatternsSkipKnownWrappersByFileOrFunction)
{
    FrameFilter f(FramePatterns{{"*/src/wrappers/*"}, {"my_get*"}});
    auto c = f.choose({op, {"my_get_page", "/src/mm.c", 10}, {"wrap", "/src/wrappers/w.c", 3}, {"user", "/src/u.c", 7}});
    EXPECT_EQ(c.index, 3u);
}

TEST(FrameFilter, SimilarlyNamedUserFilesAreNotSkipped)
{
    FrameFilter f;
    EXPECT_TRUE(f.is_user_frame({"f", "/src/myrefblame/ref.h", 1}));
    EXPECT_TRUE(f.is_user_frame({"f", "/src/refblame/refs.h", 1}));
    EXPECT_TRUE(f.is_user_frame({"f", "/src/c++/main.cpp", 1}));
}

} // namespace
