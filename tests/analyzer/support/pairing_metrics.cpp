// pairing_metrics.cpp: replays the ground truth beside the analyzer's answers and counts what matches.
#include "pairing_metrics.hpp"

#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

namespace refblame::analyzer::testing {

std::string HolderScore::str() const
{
    std::ostringstream o;
    o << moments << " failed freezes, " << truth_refs << " refs open: precision(exact+inferred) " << precision()
      << ", recall " << recall() << ", accuracy(any label) " << accuracy() << ", guess share " << guess_share();
    return o.str();
}

std::string PutScore::str() const
{
    std::ostringstream o;
    o << puts << " anonymous puts: site accuracy " << site_accuracy() << ", inferred " << inferred << " (precision "
      << inferred_precision() << "), guesses " << guesses;
    return o.str();
}

HolderScore score_blocked(const Scenario &s, const std::vector<Blocked> &blocked)
{
    std::unordered_map<std::uint64_t, std::size_t> by_time;
    for (std::size_t i = 0; i < s.events.size(); ++i)
        by_time[s.events[i].time_ns] = i;
    std::set<std::size_t> wanted;
    for (const Blocked &b : blocked)
        wanted.insert(by_time.at(b.time_ns));

    std::map<std::size_t, std::map<std::uint64_t, int>> truth_at; // event index -> site -> refs
    std::unordered_map<std::uint64_t, std::set<std::uint64_t>> open;
    for (std::size_t i = 0; i < s.events.size(); ++i) {
        const Event &e = s.events[i];
        if (s.truth.opened[i])
            open[e.obj].insert(s.truth.opened[i]);
        if (s.truth.closed[i])
            open[e.obj].erase(s.truth.closed[i]);
        if (wanted.count(i))
            for (std::uint64_t ref : open[e.obj])
                ++truth_at[i][s.truth.ref_site[ref]];
    }

    HolderScore score;
    for (const Blocked &b : blocked) {
        const std::map<std::uint64_t, int> &truth = truth_at[by_time.at(b.time_ns)];
        std::map<std::uint64_t, int> confident, all;
        for (const HeldRefs &h : b.holders) {
            all[h.site.address] += h.refs;
            if (h.confidence == Confidence::guess)
                score.guess_refs += static_cast<std::uint64_t>(h.refs);
            else
                confident[h.site.address] += h.refs;
        }
        ++score.moments;
        for (const auto &[site, n] : truth)
            score.truth_refs += static_cast<std::uint64_t>(n);
        auto truly = [&](std::uint64_t site) {
            auto it = truth.find(site);
            return it == truth.end() ? 0 : it->second;
        };
        for (const auto &[site, n] : confident) {
            score.confident_refs += static_cast<std::uint64_t>(n);
            score.confident_correct += static_cast<std::uint64_t>(std::min(n, truly(site)));
        }
        for (const auto &[site, n] : all)
            score.any_correct += static_cast<std::uint64_t>(std::min(n, truly(site)));
    }
    return score;
}

namespace {

class PutRecorder final : public replay::ReplayObserver {
public:
    PutRecorder(const Scenario &s, PutScore &score, std::uint64_t release_site)
        : s_(s), score_(score), release_site_(release_site)
    {
        for (std::size_t i = 0; i < s.events.size(); ++i)
            by_time_[s.events[i].time_ns] = i;
    }
    void on_release(const replay::ObjectState &, const Event &e, const replay::Release &r) override
    {
        if (r.kind != replay::ReleaseKind::put || (release_site_ && e.caller != release_site_))
            return;
        std::size_t put = by_time_.at(e.time_ns);
        std::uint64_t true_site = s_.truth.ref_site[s_.truth.closed[put]];
        bool right = r.ref->site.address == true_site;
        ++score_.puts;
        score_.site_correct += right;
        if (r.confidence == Confidence::guess) {
            ++score_.guesses;
        } else {
            ++score_.inferred;
            score_.inferred_correct += right;
        }
    }

private:
    const Scenario &s_;
    PutScore &score_;
    std::uint64_t release_site_;
    std::unordered_map<std::uint64_t, std::size_t> by_time_;
};

} // namespace

PutScore score_puts(const Scenario &s, replay::Pairer &pairer, std::uint64_t release_site, replay::SiteIndex *sites)
{
    PutScore score;
    PutRecorder recorder(s, score, release_site);
    replay::EngineOptions options;
    options.sites = sites;
    replay::ReplayEngine engine(pairer, recorder, options);
    for (const Event &e : s.events)
        engine.on_event(e);
    engine.finish();
    return score;
}

replay::PairChoice NewestSameThreadPairer::choose(const replay::ObjectState &obj, const Event &put, replay::ReleaseKind,
                                                  const std::vector<std::size_t> &candidates,
                                                  std::vector<double> &weights)
{
    std::size_t best = 0;
    bool best_same = false;
    for (std::size_t k = 0; k < candidates.size(); ++k) {
        const replay::OpenRef &r = obj.refs[candidates[k]];
        bool same = r.tid == put.tid;
        const replay::OpenRef &b = obj.refs[candidates[best]];
        if ((same && !best_same) || (same == best_same && r.id > b.id)) {
            best = k;
            best_same = same;
        }
    }
    weights.assign(candidates.size(), 0.0);
    weights[best] = 1.0;
    replay::PairChoice c;
    c.index = best;
    c.forced = replay::single_site(obj, candidates);
    c.confidence = Confidence::inferred; // it believes itself
    c.site_posterior = 1.0;
    return c;
}

} // namespace refblame::analyzer::testing
