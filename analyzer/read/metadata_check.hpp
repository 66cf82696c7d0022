// metadata_check.hpp: checks the packet framing of a CTF metadata file before Babeltrace2 sees it.
//
// Babeltrace2 2.0.4's src.ctf.fs loops forever on a packetized metadata file
// whose last packet is cut short (a copy interrupted, a disk full). This check
// reads only the fixed 37-byte packet headers (magic, sizes, UUID), not the
// TSDL text: parsing stays Babeltrace2's job.
#pragma once

#include <filesystem>
#include <string>

namespace refblame::analyzer {

// "" when the framing is sound (or the file is plain-text TSDL), else what is
// wrong, e.g. "packet 3 at byte 12288 claims 4096 bytes but the file ends at
// byte 13000 (truncated)".
std::string check_metadata_framing(const std::filesystem::path &metadata);

} // namespace refblame::analyzer
