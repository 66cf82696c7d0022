// pairing_model.hpp: what a first pass over the trace learned about which acquire sites each release site undoes.
#pragma once

#include "attribute/pair_table.hpp"
#include "attribute/site_matching.hpp"
#include "model/report.hpp"
#include "replay/site_index.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace refblame::analyzer::attribute {

// Statistics of one (acquire site, release site) pair.
struct PairStats {
    double paired = 0;   // belief-weighted pairings (forced ones count 1)
    double exposure = 0; // ref-units of the acquire site open (candidates) at puts of the release site
    double forced = 0;   // puts where every open reference came from the acquire site
    // Puts at the release site on objects where the acquire site's gets outnumbered
    // the release site's puts so far: independent of any pairing decision, and
    // low when the acquire site cannot be the one undone (a base ref, an LRU ref).
    double capacity = 0;
    double hold_weight = 0, hold_sum = 0, hold_sq = 0; // moments of ln(hold ns + 1)
    double same_thread = 0;                            // weight of pairings on the acquiring thread
};

// Statistics of one site, as where references are acquired and where they are released.
struct SiteStatsModel {
    double gets = 0;     // units acquired here
    double released = 0; // of those, released (belief-weighted)
    double never = 0;    // still open at obj_free, re-init or end of trace
    double puts = 0;     // anonymous puts made at this site (as a release site)
};

// Which way a learning pass leans where the model has no hold times for a pair yet.
enum class AgeBias : std::uint8_t {
    none,    // no lean: exact ties fall to the oldest open ref (DESIGN.md rule 3)
    younger, // younger refs first (lifetimes are heavy-tailed: a ref that lived long tends to live on)
};

// Sites are SiteIndex ids of callers (Event::caller_site, OpenRef::caller_id), shared by every model of one analysis.
class PairingModel {
public:
    explicit PairingModel(std::shared_ptr<replay::SiteIndex> sites = std::make_shared<replay::SiteIndex>())
        : index_(std::move(sites))
    {
    }

    std::uint32_t intern(const SiteKey &site) { return index_->intern(site); }
    std::optional<std::uint32_t> find(const SiteKey &site) const; // its caller's id; nullopt: no statistics for it
    std::size_t sites() const { return sites_.size(); }
    const std::shared_ptr<replay::SiteIndex> &index() const { return index_; }

    SiteStatsModel &site(std::uint32_t i)
    {
        if (i >= sites_.size())
            sites_.resize(static_cast<std::size_t>(i) + 1);
        return sites_[i];
    }
    const SiteStatsModel &site(std::uint32_t i) const { return i < sites_.size() ? sites_[i] : none_; }
    // The reference is valid until the next pair() call (the table may grow).
    PairStats &pair(std::uint32_t acquire, std::uint32_t release) { return pairs_.get(Pairs::key(acquire, release)); }
    const PairStats *find_pair(std::uint32_t acquire, std::uint32_t release) const;

    // How strongly an open reference acquired at `acquire` (nullopt: never seen
    // in the learning pass), `age_ns` old, on the putting thread or not, is the
    // one a put at `release` undoes. Relative scale, > 0. `bias`: how a learning
    // pass leans where the pair has no hold times yet.
    double weight(std::optional<std::uint32_t> acquire, std::optional<std::uint32_t> release, bool base_ref,
                  std::uint64_t age_ns, bool same_thread, AgeBias bias = AgeBias::none) const;

    // Pairings seen for (acquire, release): the evidence an `inferred` label needs.
    double evidence(std::optional<std::uint32_t> acquire, std::optional<std::uint32_t> release) const;

    // Share of the references acquired at `site` that were never released; nullopt when unknown.
    std::optional<double> leak_ratio(const SiteKey &site) const; // never / (released + never)

private:
    using Pairs = PairTable<PairStats>;

    std::shared_ptr<replay::SiteIndex> index_;
    std::vector<SiteStatsModel> sites_; // by site id (grown on use)
    static inline const SiteStatsModel none_{};
    Pairs pairs_;
};

// Two models learned in the same pass, leaning different ways where the trace
// says nothing yet. Symmetric code (a readahead and a map taken on one thread,
// one put undoing one of them, the same way on every object) lets learning
// settle either way, each self-consistent: what both models agree on, the
// trace identifies; where they disagree, it cannot tell, and pass 2 says guess.
struct LearnedModels {
    PairingModel younger_first; // learned with AgeBias::younger
    PairingModel oldest_first;  // learned with AgeBias::none
    Matchings matching;         // from whole-life counts (LifeFlows): decided before either model
};

} // namespace refblame::analyzer::attribute
