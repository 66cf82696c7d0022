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

namespace {

// The bucket of a hold time is floor(4 log2(hold_ns + 1)), the last one taking the rest.
std::size_t bucket_by_log(std::uint64_t hold_ns)
{
    const double b = 4.0 * std::log2(static_cast<double>(hold_ns) + 1.0);
    return std::min<std::size_t>(static_cast<std::size_t>(b), HoldHistogram::size - 1);
}

// first[b]: the shortest hold in bucket b or above (bucket_by_log never decreases), found once by
// bisection, so that a hold is placed by a few integer compares instead of a log2 per release.
struct BucketStarts {
    std::array<std::uint64_t, HoldHistogram::size + 1> first{};
    BucketStarts()
    {
        for (std::size_t b = 0; b <= HoldHistogram::size; ++b) {
            std::uint64_t lo = 0, hi = UINT64_MAX; // the answer is in [lo, hi], or none (hi stays MAX)
            if (b == HoldHistogram::size || bucket_by_log(hi) < b) {
                first[b] = UINT64_MAX;
                continue;
            }
            while (lo < hi) {
                const std::uint64_t mid = lo + (hi - lo) / 2;
                if (bucket_by_log(mid) >= b)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            first[b] = lo;
        }
    }
};

std::size_t bucket_of(std::uint64_t hold_ns)
{
    static const BucketStarts starts;
    // Four buckets per doubling: start near 4 log2, then step to the bucket whose range holds it.
    const unsigned log2_floor = 63 - static_cast<unsigned>(__builtin_clzll(hold_ns | 1));
    std::size_t b = std::min<std::size_t>(4 * log2_floor, HoldHistogram::size - 1);
    while (b > 0 && starts.first[b] > hold_ns)
        --b;
    while (b + 1 < HoldHistogram::size && starts.first[b + 1] <= hold_ns)
        ++b;
    return b;
}

} // namespace

void HoldHistogram::add(std::uint64_t hold_ns, std::uint64_t units)
{
    std::uint32_t &n = buckets[bucket_of(hold_ns)];
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
