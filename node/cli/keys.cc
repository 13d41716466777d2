#include "node/cli/keys.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "node/core/coding.h"

namespace passerelle::cli {

Result<core::KeyPair> InitSigningKey(const std::string& dir, const std::string& member_id) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Invalid("dir", "cannot create " + dir + ": " + ec.message());
  std::string key_path = dir + "/" + member_id + ".signing.key";
  std::string pub_path = dir + "/" + member_id + ".signing.pub";
  core::KeyPair key = core::GenerateKeyPair();
  int fd = ::open(key_path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0)
    return Status(errno == EEXIST ? Code::kAlreadyExists : Code::kInternal,
                  "cannot create " + key_path + (errno == EEXIST ? ": a key is already there" : ""));
  std::string line = core::ToHex(key.secret_key) + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) return Status::Internal("cannot write " + key_path);
  std::ofstream(pub_path) << core::ToHex(key.public_key) << "\n";
  return key;
}

Result<core::KeyPair> LoadSigningKey(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Invalid("signing_key", "cannot read signing key " + path + ": " + std::strerror(errno));
  std::string hex;
  in >> hex;
  std::string secret;
  if (!core::FromHex(hex, &secret) || secret.size() != core::kSecretKeyBytes)
    return Status::Invalid("signing_key", path + " does not hold a 64-byte Ed25519 secret key in hex");
  core::KeyPair key;
  key.secret_key = secret;
  key.public_key = secret.substr(32);  // libsodium's secret key ends with the public key
  return key;
}

}  // namespace passerelle::cli
