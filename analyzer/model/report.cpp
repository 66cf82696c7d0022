// report.cpp: names of the attribution rules as the user reads them; the hold-time histogram.
#include "model/report.hpp"

#include <algorithm>
#include <cmath>

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

void HoldHistogram::add(std::uint64_t hold_ns, std::uint64_t units)
{
    double b = 4.0 * std::log2(static_cast<double>(hold_ns) + 1.0);
    std::uint32_t &n = buckets[std::min<std::size_t>(static_cast<std::size_t>(b), buckets.size() - 1)];
    n = static_cast<std::uint32_t>(std::min<std::uint64_t>(std::uint64_t{n} + units, UINT32_MAX));
}

void HoldHistogram::merge(const HoldHistogram &o)
{
    for (std::size_t b = 0; b < buckets.size(); ++b)
        buckets[b] = static_cast<std::uint32_t>(std::min<std::uint64_t>(std::uint64_t{buckets[b]} + o.buckets[b], UINT32_MAX));
}

void SiteStats::add(const SiteStats &o)
{
    gets += o.gets;
    puts += o.puts;
    outstanding += o.outstanding;
    hold_ns_total += o.hold_ns_total;
    hold_ns_max = std::max(hold_ns_max, o.hold_ns_max);
    holds.merge(o.holds);
    blocked += o.blocked;
    blocked_refs += o.blocked_refs;
}

std::uint64_t HoldHistogram::median(std::uint64_t max_ns) const
{
    std::uint64_t total = 0, seen = 0;
    for (std::uint32_t n : buckets)
        total += n;
    for (std::size_t b = 0; b < buckets.size() && total > 0; ++b) {
        seen += buckets[b];
        if (2 * seen >= total) // the bucket's middle
            return std::min(static_cast<std::uint64_t>(std::exp2((static_cast<double>(b) + 0.5) / 4.0) - 1.0), max_ns);
    }
    return 0;
}

} // namespace refblame::analyzer
