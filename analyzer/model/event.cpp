// event.cpp: names of the internal event ops.
#include "model/event.hpp"

namespace refblame::analyzer {

std::string_view op_name(Op op)
{
    switch (op) {
    case Op::set: return "ref_set";
    case Op::mod: return "ref_mod";
    case Op::mod_and_test: return "ref_mod_and_test";
    case Op::mod_and_return: return "ref_mod_and_return";
    case Op::mod_unless: return "ref_mod_unless";
    case Op::freeze: return "ref_freeze";
    case Op::unfreeze: return "ref_unfreeze";
    case Op::obj_init: return "obj_init";
    case Op::obj_free: return "obj_free";
    case Op::move: return "ref_move";
    }
    return "?";
}

} // namespace refblame::analyzer
