// object_cache.cpp: an LRU object cache whose eviction fails because a component keeps copies (example 2).
//
// The cache owns one ref_ptr per entry and evicts the least recently used
// entries when it grows past its capacity: an entry can only be evicted when
// the cache's own reference is the only one (a freeze at count 1). Readers
// borrow entries through ref_ptr copies and drop them when done.
//
// The planted bug: QueryPlanner keeps every entry it ever looked at in its
// `recent_` vector "for statistics" and never trims it, so those entries
// cannot be evicted. Every holder is a ref_ptr, so the attribution is exact:
// `refblame blockers` names QueryPlanner::plan and the line of the push_back.
#include <refblame/ref.hpp>

#include <cstdio>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

namespace cache {

struct Entry : refblame::ref_counted {
    explicit Entry(int k) : refblame::ref_counted("cache_entry"), key(k), value(std::to_string(k * k)) {}
    int key;
    std::string value;
};

using EntryRef = refblame::ref_ptr<Entry>;

class LruCache {
public:
    explicit LruCache(std::size_t capacity) : capacity_(capacity) {}

    // Returns the entry for key, loading it on a miss.
    EntryRef lookup(int key)
    {
        auto it = index_.find(key);
        if (it != index_.end()) {
            lru_.splice(lru_.begin(), lru_, it->second);
            return *it->second;
        }
        lru_.push_front(refblame::make_ref<Entry>(key));
        index_[key] = lru_.begin();
        return lru_.front();
    }

    // Evicts from the cold end until the cache fits; busy entries are skipped.
    void shrink()
    {
        auto it = lru_.end();
        while (lru_.size() > capacity_ && it != lru_.begin()) {
            --it;
            Entry *e = it->get();
            if (!refblame_ref_freeze(&e->_refcount, 1)) { // someone else holds it
                ++busy_;
                continue;
            }
            refblame_ref_unfreeze(&e->_refcount, 1);
            index_.erase(e->key);
            it = lru_.erase(it); // the cache's reference: the entry is destroyed
            ++evicted_;
        }
    }

    std::size_t size() const { return lru_.size(); }
    int evicted() const { return evicted_; }
    int busy() const { return busy_; }

private:
    std::size_t capacity_;
    std::list<EntryRef> lru_;
    std::unordered_map<int, std::list<EntryRef>::iterator> index_;
    int evicted_ = 0;
    int busy_ = 0;
};

// Borrows entries while answering a request and drops them at the end: fine.
class RequestHandler {
public:
    explicit RequestHandler(LruCache &c) : cache_(c) {}
    std::size_t handle(int key)
    {
        EntryRef e = cache_.lookup(key);
        EntryRef neighbour = cache_.lookup(key + 1);
        return e->value.size() + neighbour->value.size();
    }

private:
    LruCache &cache_;
};

// Keeps a copy of every entry it planned with and never lets go: the leak.
class QueryPlanner {
public:
    explicit QueryPlanner(LruCache &c) : cache_(c) {}
    void plan(int key)
    {
        EntryRef e = cache_.lookup(key);
        if (e->value.size() > 3)
            recent_.push_back(e); // PLANTED(cache::QueryPlanner::plan): keeps entries it no longer needs
    }
    std::size_t remembered() const { return recent_.size(); }

private:
    LruCache &cache_;
    std::vector<EntryRef> recent_; // BUG: grows forever, pins cache entries
};

} // namespace cache

int main()
{
    cache::LruCache lru(32);
    cache::RequestHandler handler(lru);
    cache::QueryPlanner planner(lru);
    std::size_t bytes = 0;
    for (int round = 0; round < 20; ++round) {
        for (int k = 0; k < 16; ++k)
            bytes += handler.handle(round * 16 + k);
        if (round % 4 == 0)
            planner.plan(round * 16 + 7);
        lru.shrink();
    }
    std::printf("served %zu bytes; cache holds %zu entries (capacity 32)\n", bytes, lru.size());
    std::printf("eviction: %d evicted, %d attempts failed (entries busy)\n", lru.evicted(), lru.busy());
    std::printf("planner remembers %zu entries\n", planner.remembered());
    return 0;
}
