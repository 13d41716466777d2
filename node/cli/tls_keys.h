// This node's TLS key and certificate signing request, made by `passerelle keys init`:
// <dir>/tls.key (EC P-256, PEM, mode 0600) and <dir>/tls.csr (PEM, subject CN=<member>,
// SAN DNS:<member> as peers check it, node/peer/tls.h). The federation CA signs the CSR
// (deploy/sign-csr.sh) into <dir>/tls.crt.
#pragma once

#include <string>

#include "storage/status.h"

namespace passerelle::cli {

// ALREADY_EXISTS rather than overwrite a key; FAILED_PRECONDITION when a tls.csr is
// there without its key; INTERNAL when OpenSSL fails. Writes both files or neither.
Status InitTlsKeyAndCsr(const std::string& dir, const std::string& member_id);
// FAILED_PRECONDITION when <dir>/tls.csr is there without the tls.key it was made from.
Status CheckNoOrphanTlsRequest(const std::string& dir);

}  // namespace passerelle::cli
