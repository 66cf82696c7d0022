// bt_handles.hpp: owning RAII handles over Babeltrace2 C objects (put_ref on destruction) and the current thread's error.
#pragma once

#include <babeltrace2/babeltrace.h>

#include <string>
#include <utility>

namespace refblame::analyzer::bt {

// Owns one reference to a Babeltrace2 object; `Put` releases it.
template <typename T, void (*Put)(const T *)>
class Ref {
public:
    Ref() = default;
    explicit Ref(T *p) : p_(p) {}
    ~Ref() { reset(); }
    Ref(const Ref &) = delete;
    Ref &operator=(const Ref &) = delete;
    Ref(Ref &&o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    Ref &operator=(Ref &&o) noexcept
    {
        if (this != &o) {
            reset();
            p_ = std::exchange(o.p_, nullptr);
        }
        return *this;
    }

    T *get() const { return p_; }
    explicit operator bool() const { return p_ != nullptr; }
    void reset()
    {
        if (p_)
            Put(p_);
        p_ = nullptr;
    }
    // Out-parameter for the C functions that return a new reference.
    T **out()
    {
        reset();
        return &p_;
    }

private:
    T *p_ = nullptr;
};

using Graph = Ref<bt_graph, bt_graph_put_ref>;
using Value = Ref<bt_value, bt_value_put_ref>;
using Plugin = Ref<const bt_plugin, bt_plugin_put_ref>;
using SinkClass = Ref<bt_component_class_sink, bt_component_class_sink_put_ref>;
using MessageIterator = Ref<bt_message_iterator, bt_message_iterator_put_ref>;

// The current thread's Babeltrace2 error, taken (and so cleared).
struct ErrorInfo {
    std::string message;   // the root cause as one line (the deepest plugin message); "" when no error
    std::string component; // the component whose message iterator failed, when one did
    std::string port;      // and its output port (src.ctf.fs: "UUID | stream class id | stream id")
};
ErrorInfo take_error_info();
std::string take_error(); // take_error_info().message

} // namespace refblame::analyzer::bt
