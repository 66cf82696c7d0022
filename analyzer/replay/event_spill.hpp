// event_spill.hpp: the events of one read, kept as compact binary records in an unlinked temp file so later passes need no second Babeltrace2 read.
#pragma once

#include "model/event.hpp"
#include "replay/site_index.hpp"

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace refblame::analyzer::replay {

// Records are varints, 10-14 bytes for most events (time, address and thread as
// differences from the previous event's; 16 more with a holder or a move's `from`), written through
// a buffer and read back sequentially through another, so memory stays flat
// whatever the trace length (the file lives in the page cache or on disk, in
// $TMPDIR, and is gone when the spill is). Sites are stored as SiteIndex ids
// (the index must outlive the spill), kinds as ids into the spill's own table.
// Losses are few: kept in memory with the position of the event they preceded.
//
// With `lanes` > 1 (at most 64), one file per shard of the objects (shard_of): an event's record goes to
// its object's lane, so that a replay of shard i of `lanes` reads and decodes lane i only (any other replay
// reads every lane in step). The other lanes count the event: while their replays hold nothing back (add's
// `held`), as a number of events passed over, kept with the lane's next record (a byte or three) with the
// latest time of any event added by then (a replay's clock is the latest time it was told of, so that
// this is the latest of the events passed over whenever that one moves the clock: see add()); otherwise as
// a clock record of its own (its time, about 3 bytes), so that what a replay holds back expires when one
// replay of every object would. Passed over, an event costs the other lanes nothing when added.
class EventSpill {
public:
    explicit EventSpill(SiteIndex &sites, unsigned lanes = 1);
    ~EventSpill();
    EventSpill(const EventSpill &) = delete;
    EventSpill &operator=(const EventSpill &) = delete;

    static constexpr unsigned max_lanes = 64;
    static constexpr std::uint64_t all_lanes = ~std::uint64_t{0};

    // e.site must be set. `held`: bit i clear, no replay of lane i's objects will hold an event back when `e`
    // comes (as a ReplayEngine with the replays' options and held_lanes = lanes that was fed every event
    // before `e`: its held_lanes()), so that lane i may pass over it with others (EventSink::on_clocks).
    void add(const Event &e, std::uint64_t held = all_lanes);
    void add(const Event &e, bool) = delete; // `held` is a set of lanes, not a yes or no
    void add(const Loss &l);
    std::uint64_t events() const { return events_; }
    unsigned lanes() const { return static_cast<unsigned>(lanes_.size()); }
    std::uint64_t bytes() const; // written and buffered, every lane

    // Writes out what is buffered. After it, and until the next add(), replay() only reads: several
    // threads may replay at once.
    void seal();

    // Hands everything added, in the order added, to `sink` (Event::kind views
    // stay valid as long as the spill). May be called any number of times. With
    // `shards` > 1, only the events of objects in shard `shard` (shard_of); the
    // others reach sink.on_clock() with their time alone, or on_clocks() when added with their lane not `held`.
    void replay(EventSink &sink, unsigned shard = 0, unsigned shards = 1);

private:
    struct Lane {
        int fd = -1;
        std::vector<char> buffer;
        std::uint64_t written = 0;
        std::uint64_t last_ns = 0, last_obj = 0; // of the last record written (records store differences)
        std::int32_t last_tid = 0;
        std::uint64_t next = 0; // the event after the lane's last record: from it to events_, passed over
    };
    void pass_over(Lane &lane); // a record of the events passed over alone
    char *room(Lane &lane, std::size_t most); // where a record of at most `most` bytes goes (flushes first if full)
    void written_to(Lane &lane, const char *end); // the record written ends at `end`
    void flush(Lane &lane);
    std::uint32_t kind_id(std::string_view kind);

    SiteIndex &sites_;
    std::string dir_; // where the files live, for messages
    std::vector<Lane> lanes_;
    std::size_t lane_bytes_;   // each lane's buffer
    std::uint64_t lane_mask_;  // a bit per lane
    std::uint64_t events_ = 0;
    std::uint64_t latest_ns_ = 0; // the latest time of the events added
    std::vector<std::pair<std::uint64_t, Loss>> losses_; // (events before it, loss)
    std::deque<std::string> kinds_;                     // id - 1 -> kind
    std::unordered_map<std::string_view, std::uint32_t> kind_ids_;
    std::string_view last_kind_;
    std::uint32_t last_kind_id_ = 0;
};

} // namespace refblame::analyzer::replay
