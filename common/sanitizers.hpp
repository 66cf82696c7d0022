// sanitizers.hpp: REFBLAME_ASAN is defined in builds under AddressSanitizer (g++ and clang each say so their own way).
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define REFBLAME_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REFBLAME_ASAN 1
#endif
#endif
