#include "node/core/signing.h"

#include <sodium.h>

namespace passerelle::core {
namespace {
const unsigned char* U(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* U(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }
struct SodiumInit {
  SodiumInit() { (void)sodium_init(); }
};
void EnsureInit() { static SodiumInit init; }
}  // namespace

KeyPair GenerateKeyPair() {
  EnsureInit();
  KeyPair k{std::string(kPublicKeyBytes, '\0'), std::string(kSecretKeyBytes, '\0')};
  crypto_sign_keypair(U(k.public_key), U(k.secret_key));
  return k;
}

KeyPair KeyPairFromSeed(std::string_view seed32) {
  EnsureInit();
  std::string seed(seed32.substr(0, 32));
  seed.resize(32, '\0');
  KeyPair k{std::string(kPublicKeyBytes, '\0'), std::string(kSecretKeyBytes, '\0')};
  crypto_sign_seed_keypair(U(k.public_key), U(k.secret_key), U(seed));
  return k;
}

std::string SignHash(const KeyPair& key, std::string_view op_hash) {
  EnsureInit();
  std::string sig(kSignatureBytes, '\0');
  crypto_sign_detached(U(sig), nullptr, U(op_hash), op_hash.size(), U(key.secret_key));
  return sig;
}

bool VerifyHash(std::string_view public_key, std::string_view op_hash, std::string_view signature) {
  EnsureInit();
  if (public_key.size() != kPublicKeyBytes || signature.size() != kSignatureBytes) return false;
  return crypto_sign_verify_detached(U(signature), U(op_hash), op_hash.size(), U(public_key)) == 0;
}

bool FromHex(std::string_view hex, std::string* out) {
  if (hex.size() % 2) return false;
  out->clear();
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nib(hex[i]), lo = nib(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

}  // namespace passerelle::core
