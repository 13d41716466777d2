// This member's Ed25519 signing key on disk: one line of hex (the 64-byte libsodium
// secret key), readable by the node's user only. `passerelle keys init` writes it.
#pragma once

#include <string>

#include "node/core/signing.h"
#include "storage/status.h"

namespace passerelle::cli {

// Writes <dir>/<member>.signing.key (mode 0600) and <dir>/<member>.signing.pub (hex
// public key, for the members file). ALREADY_EXISTS rather than overwrite a key.
Result<core::KeyPair> InitSigningKey(const std::string& dir, const std::string& member_id);
Result<core::KeyPair> LoadSigningKey(const std::string& path);

}  // namespace passerelle::cli
