// cache_fill.cpp: a cache that copies ref_ptrs into a std::vector by push_back (moved again as the vector grows) and is never destroyed.
#include <refblame/ref.hpp>

#include <cstdio>
#include <vector>

struct Item : refblame::ref_counted {
    explicit Item(int v) : ref_counted("item"), value(v) {}
    int value;
};
using ItemRef = refblame::ref_ptr<Item>;

class Cache {
public:
    void fill(const std::vector<ItemRef> &from);
    std::size_t size() const { return items_.size(); }

private:
    std::vector<ItemRef> items_;
};

// Out of line in the user's code; the copies happen inside std::vector's own code.
__attribute__((noinline)) void Cache::fill(const std::vector<ItemRef> &from)
{
    for (const ItemRef &item : from)
        items_.push_back(item); // LEAK(fill)
}

// Still reachable at exit (LeakSanitizer stays quiet), never destroyed: its references leak.
static Cache *cache;

int main()
{
    std::vector<ItemRef> fresh;
    for (int i = 0; i < 5; i++)
        fresh.push_back(refblame::make_ref<Item>(i));
    cache = new Cache;
    cache->fill(fresh);
    fresh.clear();
    std::printf("cached %zu items\n", cache->size());
    return 0;
}
