#include "node/cli/tls_keys.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>

namespace passerelle::cli {
namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Req = std::unique_ptr<X509_REQ, Deleter<X509_REQ, X509_REQ_free>>;
using Exts = std::unique_ptr<STACK_OF(X509_EXTENSION), Deleter<STACK_OF(X509_EXTENSION), [](STACK_OF(X509_EXTENSION)* s) { sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free); }>>;

// Opens `path` for writing with `mode`, refusing to replace an existing file.
Result<FILE*> CreateExclusive(const std::string& path, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, mode);
  if (fd < 0)
    return Status(errno == EEXIST ? Code::kAlreadyExists : Code::kInternal,
                  "cannot create " + path + (errno == EEXIST ? ": it is already there" : ""));
  FILE* f = ::fdopen(fd, "w");
  if (f == nullptr) {
    ::close(fd);
    return Status::Internal("cannot open " + path);
  }
  return f;
}

}  // namespace

Status CheckNoOrphanTlsRequest(const std::string& dir) {
  const std::string key_path = dir + "/tls.key", csr_path = dir + "/tls.csr";
  // A request left from a key that is gone would get a certificate for the wrong key.
  if (::access(key_path.c_str(), F_OK) != 0 && ::access(csr_path.c_str(), F_OK) == 0)
    return Status(Code::kFailedPrecondition,
                  csr_path + " is there but not the key it was made from (" + key_path +
                      "): remove tls.csr (and any tls.crt signed from it), then run keys init again",
                  "tls.csr");
  return Status::Ok();
}

Status InitTlsKeyAndCsr(const std::string& dir, const std::string& member_id) {
  const std::string key_path = dir + "/tls.key", csr_path = dir + "/tls.csr";
  PASSERELLE_RETURN_IF_ERROR(CheckNoOrphanTlsRequest(dir));
  PKey key(EVP_EC_gen("P-256"));
  if (!key) return Status::Internal("OpenSSL could not generate an EC P-256 key");

  Req req(X509_REQ_new());
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("Passerelle"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(member_id.c_str()), -1, -1, 0);
  Exts exts(sk_X509_EXTENSION_new_null());
  const std::string san = "DNS:" + member_id;
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str());
  if (ext == nullptr) return Status::Invalid("member_id", "'" + member_id + "' cannot be a DNS name in a certificate");
  sk_X509_EXTENSION_push(exts.get(), ext);
  if (X509_REQ_set_version(req.get(), 0) != 1 || X509_REQ_set_pubkey(req.get(), key.get()) != 1 ||
      X509_REQ_add_extensions(req.get(), exts.get()) != 1 ||
      X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0)
    return Status::Internal("OpenSSL could not build the certificate signing request");

  auto key_file = CreateExclusive(key_path, 0600);
  if (!key_file.ok()) return key_file.status();
  bool ok = PEM_write_PrivateKey(*key_file, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  ok = (std::fclose(*key_file) == 0) && ok;
  if (!ok) return Status::Internal("cannot write " + key_path);
  // The pair or nothing: a key without its request is removed again.
  auto csr_file = CreateExclusive(csr_path, 0644);
  if (!csr_file.ok()) {
    ::unlink(key_path.c_str());
    return csr_file.status();
  }
  ok = PEM_write_X509_REQ(*csr_file, req.get()) == 1;
  ok = (std::fclose(*csr_file) == 0) && ok;
  if (!ok) {
    ::unlink(csr_path.c_str());
    ::unlink(key_path.c_str());
    return Status::Internal("cannot write " + csr_path);
  }
  return Status::Ok();
}

}  // namespace passerelle::cli
