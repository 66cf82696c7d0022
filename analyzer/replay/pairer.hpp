// pairer.hpp: the replay asks a Pairer which open reference an anonymous put releases (attribute/ implements it).
#pragma once

#include "model/report.hpp"
#include "replay/object_state.hpp"

#include <cstddef>
#include <vector>

namespace refblame::analyzer::replay {

// Why a reference stopped being open.
enum class ReleaseKind : std::uint8_t {
    put,         // an anonymous put, paired by the Pairer
    tracked_put, // a put by the holder that took it (exact)
    frozen,      // held through a successful freeze, then the object was freed (migrated)
    overwritten, // ref_set / ref_unfreeze lowered the count
    resync,      // dropped to match the count after a continuity break
};

struct PairChoice {
    std::size_t index = 0;                     // into the candidate list
    Confidence confidence = Confidence::guess; // the rule that decided
    double site_posterior = 0;                 // belief that the released ref came from the chosen site
    bool forced = false;                       // every candidate came from one site
    bool matched = false;                      // the site matching decided the site (only its refs weighed)
};

class Pairer {
public:
    virtual ~Pairer() = default;
    // `candidates` index obj.refs: the open references this put may release.
    // Fill `weights` (one per candidate, >= 0, any scale: the belief that each
    // one is the reference released) and return the choice. `kind` is put for
    // a real put (also a tracked put whose holder held nothing); overwritten
    // and resync are not the program releasing a reference (do not learn from them).
    virtual PairChoice choose(const ObjectState &obj, const Event &put, ReleaseKind kind,
                              const std::vector<std::size_t> &candidates, std::vector<double> &weights) = 0;
};

// True when every candidate was acquired at the same site: the site is forced.
bool single_site(const ObjectState &obj, const std::vector<std::size_t> &candidates);

// Among candidates with the highest weight: the oldest non-base ref, base refs last.
std::size_t best_candidate(const ObjectState &obj, const std::vector<std::size_t> &candidates,
                           const std::vector<double> &weights);

// The rule of last resort (DESIGN.md rule 3): no evidence, the oldest open
// non-base reference; every choice is a guess unless the site is forced.
class OldestFirstPairer final : public Pairer {
public:
    PairChoice choose(const ObjectState &obj, const Event &put, ReleaseKind kind,
                      const std::vector<std::size_t> &candidates, std::vector<double> &weights) override;
};

} // namespace refblame::analyzer::replay
