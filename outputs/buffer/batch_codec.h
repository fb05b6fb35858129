#pragma once

#include <string>
#include <string_view>

#include "pipeline/batch.h"

namespace sluice {

// The payload of a disk-buffer record: a batch's documents, events and
// routing values in a compact little-endian layout led by a version byte.
// The acknowledgement fields are not carried: a batch read back from the
// buffer is owned by the buffer's record, not by the input that built it.
//
// Appends the encoding of `batch` to `out`.
void encodeBatch(const Batch& batch, std::string& out);

// Rebuilds a batch from `payload`. The payload comes from disk, so it is
// treated as hostile: every length and offset is checked and no allocation
// exceeds what the payload itself could describe. Returns nullptr, with the
// reason in `error`, when the payload is not a valid encoding.
BatchPtr decodeBatch(std::string_view payload, std::string& error);

}  // namespace sluice
