// metadata_check.cpp: validates the packet headers of a packetized CTF metadata file (the guard against a Babeltrace2 hang).
#include "read/metadata_check.hpp"
#include "read/packet_bytes.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <fstream>

namespace refblame::analyzer {

namespace {

constexpr std::uint32_t metadata_magic = 0x75D11D57; // CTF 1.8 metadata packet magic
constexpr std::size_t header_size = 37;              // magic, uuid[16], checksum, content_size, packet_size, 5 x u8

} // namespace

std::string check_metadata_framing(const std::filesystem::path &metadata)
{
    std::ifstream in(metadata, std::ios::binary);
    if (!in)
        return "cannot open the file";
    in.seekg(0, std::ios::end);
    const std::uint64_t size = static_cast<std::uint64_t>(in.tellg());
    in.seekg(0);
    if (size == 0)
        return "the file is empty";

    std::array<unsigned char, header_size> h{};
    in.read(reinterpret_cast<char *>(h.data()), static_cast<std::streamsize>(std::min<std::uint64_t>(size, h.size())));
    const bool native = load_u32(h.data(), false) == metadata_magic;
    const bool swapped = load_u32(h.data(), true) == metadata_magic;
    if (!native && !swapped) {
        // Plain-text TSDL starts with its version comment.
        static constexpr char text_start[] = "/* CTF";
        if (size >= sizeof text_start - 1 && std::memcmp(h.data(), text_start, sizeof text_start - 1) == 0)
            return {};
        return "not CTF metadata (neither a metadata packet header nor \"/* CTF\" at the start)";
    }
    std::array<unsigned char, 16> uuid{};
    std::memcpy(uuid.data(), h.data() + 4, uuid.size());

    std::uint64_t offset = 0;
    for (std::uint64_t packet = 0; offset < size; ++packet) {
        const std::string where = "packet " + std::to_string(packet) + " at byte " + std::to_string(offset);
        if (size - offset < header_size)
            return where + ": only " + std::to_string(size - offset) + " bytes left, less than a packet header (truncated)";
        in.seekg(static_cast<std::streamoff>(offset));
        if (!in.read(reinterpret_cast<char *>(h.data()), h.size()))
            return where + ": read error";
        if (load_u32(h.data(), swapped) != metadata_magic)
            return where + ": bad packet magic (corrupt)";
        if (std::memcmp(h.data() + 4, uuid.data(), uuid.size()) != 0)
            return where + ": UUID differs from the first packet's (corrupt or mixed files)";
        const std::uint64_t content_bits = load_u32(h.data() + 24, swapped);
        const std::uint64_t packet_bits = load_u32(h.data() + 28, swapped);
        if (packet_bits % 8 != 0 || content_bits % 8 != 0 || content_bits < header_size * 8 ||
            packet_bits < content_bits)
            return where + ": impossible sizes (content " + std::to_string(content_bits) + " bits, packet " +
                   std::to_string(packet_bits) + " bits; corrupt)";
        const std::uint64_t packet_bytes = packet_bits / 8;
        if (packet_bytes > size - offset)
            return where + ": claims " + std::to_string(packet_bytes) + " bytes but the file ends at byte " +
                   std::to_string(size) + " (truncated)";
        offset += packet_bytes;
    }
    return {};
}

} // namespace refblame::analyzer
