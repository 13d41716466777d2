// Ed25519 signing of op chain heads (libsodium). A member signs the hash of the newest
// op of its chain; because each op names its predecessor's hash, that one signature
// vouches for the whole chain up to it. Pure functions; keys are raw bytes.
#pragma once

#include <string>
#include <string_view>

#include "storage/status.h"

namespace passerelle::core {

constexpr size_t kPublicKeyBytes = 32;
constexpr size_t kSecretKeyBytes = 64;
constexpr size_t kSignatureBytes = 64;

struct KeyPair {
  std::string public_key;  // 32 raw bytes
  std::string secret_key;  // 64 raw bytes (libsodium's seed + public key)
};

KeyPair GenerateKeyPair();
// Derives the pair from a 32-byte seed (deterministic; for tests and simulations).
KeyPair KeyPairFromSeed(std::string_view seed32);

std::string SignHash(const KeyPair& key, std::string_view op_hash);
bool VerifyHash(std::string_view public_key, std::string_view op_hash, std::string_view signature);

// Lower-case hex <-> bytes; FromHex fails on odd length or non-hex characters.
bool FromHex(std::string_view hex, std::string* bytes);

}  // namespace passerelle::core
