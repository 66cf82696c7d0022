// first_pass.cpp: one event through site interning, the life tallies, the spill and both learners.
#include "query/first_pass.hpp"

namespace refblame::analyzer::query {

namespace {

constexpr std::uint64_t refresh_every = 4096; // lives, once the doubling reached it

// A learner's engine that keeps which of the spill's lanes hold events back (the later replays' engines do
// what it does: same options, same events per object).
replay::EngineOptions watching(replay::EngineOptions o, unsigned lanes)
{
    o.held_lanes = lanes;
    return o;
}

} // namespace

FirstPass::FirstPass(std::shared_ptr<replay::SiteIndex> sites, replay::EventSpill &spill,
                     const replay::EngineOptions &options)
    : sites_(sites), spill_(spill), pid_(options.pid), flows_(options.pid), stack_flows_(options.pid, true),
      younger_(nullptr, attribute::AgeBias::younger, watching(options, spill.lanes()), &matching_, sites),
      oldest_(nullptr, attribute::AgeBias::none, options, &matching_, sites)
{
}

void FirstPass::on_event(const Event &raw)
{
    if (pid_ && raw.pid != *pid_)
        return; // the later passes would skip it too
    if (raw.pid != last_pid_) { // refs of unknown origin are keyed by process: interned before any
        sites_->intern(SiteKey{raw.pid, 0, 0}); // attribution shard needs them (shards only read the index)
        last_pid_ = raw.pid;
    }
    Event e = raw;
    sites_->assign(e);
    flows_.on_event(e);
    stacks_seen_ |= e.stack_id != 0; // lives already open then are first seen mid-life: left out
    if (stacks_seen_)
        stack_flows_.on_event(e);
    if (flows_.lives_ended() >= next_refresh_) {
        matching_.by_caller = flows_.provisional();
        if (stacks_seen_)
            matching_.by_stack = stack_flows_.provisional();
        next_refresh_ = next_refresh_ < refresh_every ? next_refresh_ * 2 : next_refresh_ + refresh_every;
    }
    spill_.add(e, younger_.held_lanes());
    younger_.on_event(e);
    oldest_.on_event(e);
}

void FirstPass::prefetch(const Event &e, unsigned stage) const
{
    if (pid_ && e.pid != *pid_)
        return;
    flows_.prefetch(e, stage);
    if (stacks_seen_)
        stack_flows_.prefetch(e, stage);
    younger_.prefetch(e, stage);
    oldest_.prefetch(e, stage);
}

void FirstPass::on_loss(const Loss &l)
{
    spill_.add(l);
    younger_.on_loss(l);
    oldest_.on_loss(l);
}

attribute::LearnedModels FirstPass::finish()
{
    attribute::Matchings matching{flows_.finish(), stacks_seen_ ? stack_flows_.finish() : attribute::SiteMatching{}};
    attribute::LearnedModels m{younger_.finish(), oldest_.finish(), std::move(matching)};
    return m;
}

} // namespace refblame::analyzer::query
