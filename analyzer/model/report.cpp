// report.cpp: names of the attribution rules as the user reads them.
#include "model/report.hpp"

namespace refblame::analyzer {

std::string_view confidence_name(Confidence c)
{
    switch (c) {
    case Confidence::exact: return "exact";
    case Confidence::inferred: return "inferred";
    case Confidence::guess: return "guess";
    }
    return "?";
}

} // namespace refblame::analyzer
