// refblame/ref.hpp: refblame::ref_ptr<T>, an intrusive smart pointer whose every copy is a tracked holder.
#ifndef REFBLAME_REF_HPP
#define REFBLAME_REF_HPP

#include <refblame/ref.h>

#include <cstddef>
#include <utility>

#define REFBLAME_CXX_INLINE __attribute__((always_inline)) inline

namespace refblame {

// Base class giving an object its `_refcount`. It starts at zero references:
// the first `ref_ptr` takes the first one, so every reference has a holder.
class ref_counted {
public:
    REFBLAME_CXX_INLINE explicit ref_counted(const char *kind = "object") noexcept
    {
        refblame_obj_init(&_refcount, kind, 0);
    }
    REFBLAME_CXX_INLINE ~ref_counted() { refblame_obj_free(&_refcount); }
    ref_counted(const ref_counted &) = delete;
    ref_counted &operator=(const ref_counted &) = delete;

    refblame_ref_t _refcount;
};

// Customization point: how the last put destroys a T. Specialize for pools,
// arenas or objects freed by a C API.
template <class T>
struct ref_destroy {
    void operator()(T *p) const noexcept { delete p; }
};

// Intrusive pointer to any T with a `refblame_ref_t _refcount` member. Each
// ref_ptr is a holder: its address is the `holder` recorded with its get and
// put, and a move records the reference changing holder.
template <class T>
class ref_ptr {
public:
    REFBLAME_CXX_INLINE ref_ptr() noexcept = default;
    REFBLAME_CXX_INLINE ref_ptr(std::nullptr_t) noexcept {}

    // Takes a new reference on p.
    REFBLAME_CXX_INLINE explicit ref_ptr(T *p) noexcept : p_(p)
    {
        if (p_)
            refblame_ref_get(&p_->_refcount, this);
    }

    // Becomes the holder of a reference that already exists (for example the
    // one refblame_obj_init set); the count does not change.
    REFBLAME_CXX_INLINE static ref_ptr adopt(T *p) noexcept { return ref_ptr(p, adopt_tag{}); }

    REFBLAME_CXX_INLINE ref_ptr(const ref_ptr &o) noexcept : p_(o.p_)
    {
        if (p_)
            refblame_ref_get(&p_->_refcount, this);
    }

    REFBLAME_CXX_INLINE ref_ptr(ref_ptr &&o) noexcept : p_(o.p_)
    {
        o.p_ = nullptr;
        if (p_)
            refblame_ref_move(&p_->_refcount, &o, this);
    }

    REFBLAME_CXX_INLINE ref_ptr &operator=(const ref_ptr &o) noexcept
    {
        if (o.p_ != p_) {
            T *old = p_;
            p_ = o.p_;
            if (p_)
                refblame_ref_get(&p_->_refcount, this);
            release(old);
        }
        return *this;
    }

    REFBLAME_CXX_INLINE ref_ptr &operator=(ref_ptr &&o) noexcept
    {
        if (&o != this) {
            T *old = p_;
            p_ = o.p_;
            o.p_ = nullptr;
            if (p_)
                refblame_ref_move(&p_->_refcount, &o, this);
            release(old);
        }
        return *this;
    }

    REFBLAME_CXX_INLINE ~ref_ptr() { release(p_); }

    // Drops the reference this pointer holds, if any.
    REFBLAME_CXX_INLINE void reset() noexcept
    {
        T *old = p_;
        p_ = nullptr;
        release(old);
    }

    REFBLAME_CXX_INLINE T *get() const noexcept { return p_; }
    REFBLAME_CXX_INLINE T *operator->() const noexcept { return p_; }
    REFBLAME_CXX_INLINE T &operator*() const noexcept { return *p_; }
    REFBLAME_CXX_INLINE explicit operator bool() const noexcept { return p_ != nullptr; }

    friend bool operator==(const ref_ptr &a, const ref_ptr &b) noexcept { return a.p_ == b.p_; }
    friend bool operator==(const ref_ptr &a, std::nullptr_t) noexcept { return a.p_ == nullptr; }

private:
    struct adopt_tag {};
    REFBLAME_CXX_INLINE ref_ptr(T *p, adopt_tag) noexcept : p_(p)
    {
        if (p_)
            refblame_ref_move(&p_->_refcount, nullptr, this);
    }

    REFBLAME_CXX_INLINE void release(T *p) noexcept
    {
        if (p && refblame_ref_put(&p->_refcount, this))
            ref_destroy<T>{}(p);
    }

    T *p_ = nullptr;
};

// Allocates a T and returns the first reference to it.
template <class T, class... Args>
REFBLAME_CXX_INLINE ref_ptr<T> make_ref(Args &&...args)
{
    return ref_ptr<T>(new T(std::forward<Args>(args)...));
}

} // namespace refblame

#endif // REFBLAME_REF_HPP
