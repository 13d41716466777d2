#include <atomic>
#include <csignal>
#include <thread>
#include <iostream>
#include <pthread.h>

#include "node/cli/commands.h"
#include "node/cli/keys.h"
#include "node/cli/node_context.h"
#include "node/cli/node_metrics.h"
#include "node/log/log.h"
#include "node/core/coding.h"
#include "node/grpc/grpc_server.h"
#include "node/http/auth.h"
#include "node/http/http_server.h"
#include "node/peer/peer_server.h"
#include "node/peer/peer_sync.h"
#include "node/service/accounts.h"
#include "node/service/equivalence_service.h"
#include "node/service/federation_status.h"
#include "node/service/sessions.h"
#include "node/service/seed_io.h"

namespace passerelle::cli {
namespace {

bool HasPeers(const NodeConfig& config, const service::Members& members) {
  for (const auto& m : members.all())
    if (m.id != config.member_id && !m.node_address.empty()) return true;
  return false;
}

}  // namespace

int RunNode(const NodeConfig& config, const std::string& import_dir) {
  // Signals are taken synchronously by this thread only (sigwait below); threads
  // started from here on inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Status logging = log::Init(config.log_format, config.log_level);
  if (!logging.ok()) return Fail("bad configuration", logging);
  auto ctx = OpenNode(config, StoreMode::kCreateIfMissing);
  if (!ctx.ok()) return Fail("cannot start node", ctx.status());
  auto& svc = *(*ctx)->service;
  const auto& members = (*ctx)->members;
  Status s = SetUpSigning(config, members, &svc);
  if (!s.ok()) return Fail("bad configuration", s);
  svc.SetMaxClockSkewMs(config.max_clock_skew_ms);
  bool federated = HasPeers(config, members);
  if (federated && config.signing_key.empty())
    return Fail("bad configuration", Status::Invalid("signing_key", "is required when the members file lists other nodes"));
  if (!svc.own_head_confirmed()) {
    if (!federated) {  // no peer can hold newer ops of this member: nothing to wait for
      s = svc.ConfirmOwnHead();
      if (!s.ok()) return Fail("cannot start node", s);
    } else {
      PLOG_WARN("passerelle node {}: restored from a backup; local writes wait until every peer has "
                "shown it holds no newer op of {} (a peer gone for good: take it out of the members file)",
                config.member_id, config.member_id);
    }
  }

  // Replication: the peer port (mutual TLS) and the pulling side.
  std::unique_ptr<peer::PeerServer> peer_server;
  std::unique_ptr<peer::PeerSync> sync;
  peer::TlsFiles tls{config.tls_ca, config.tls_cert, config.tls_key};
  std::string peer_listen = config.peer_listen;
  if (peer_listen.empty() && members.Find(config.member_id) != nullptr)
    peer_listen = members.Find(config.member_id)->node_address;
  if (federated) {
    if (tls.empty() && !config.insecure_peers)
      return Fail("bad configuration", Status::Invalid("tls_ca", "mutual TLS (tls_ca, tls_cert, tls_key) is required between nodes"));
    std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
    if (!tls.empty()) {
      auto c = peer::PeerServerCredentials(tls);
      if (!c.ok()) return Fail("bad configuration", c.status());
      creds = *c;
    }
    auto started = peer::StartPeerServer(&svc, peer_listen, creds);
    if (!started.ok()) return Fail("cannot start the peer port", started.status());
    peer_server = std::move(started).value();
    peer::PeerSyncOptions options;
    options.tls = tls;
    options.repair_interval_ms = static_cast<int>(config.repair_interval_ms);
    sync = std::make_unique<peer::PeerSync>(&svc, &members, options);
    s = sync->Start();
    if (!s.ok()) return Fail("cannot start replication", s);
  }

  // One status provider for every adapter.
  service::FederationStatusFn federation_status = [sync_ptr = sync.get(), svc_ptr = &svc] {
    return sync_ptr ? sync_ptr->StatusJson() : service::LoneNodeStatus(*svc_ptr);
  };
  service::EquivalenceService equivalences(&svc);  // one graph for gRPC and REST
  grpcapi::GrpcOptions grpc_options;
  grpc_options.equivalences = &equivalences;
  grpc_options.max_message_bytes = config.max_request_bytes;
  grpc_options.federation_status = federation_status;
  int grpc_port = 0;
  auto grpc = grpcapi::StartGrpcServer(&svc, config.grpc_listen, &grpc_port, grpc_options);
  if (!grpc.ok()) return Fail("cannot start gRPC on " + config.grpc_listen, grpc.status());

  // Accounts live in this node's store; sessions in memory (a restart logs users out).
  service::Accounts accounts((*ctx)->store.get());
  service::SessionOptions session_options;
  session_options.idle_timeout_ms = config.session_idle_timeout_s * 1000;
  session_options.lifetime_ms = config.session_lifetime_s * 1000;
  service::SessionManager sessions(&accounts, session_options);
  http::HttpOptions http_options;
  http_options.sessions = &sessions;
  http_options.secure_cookies = config.secure_cookies;
  auto proxies = http::ParseTrustedProxies(config.trusted_proxies);
  if (!proxies.ok()) return Fail("bad configuration", proxies.status());
  http_options.trusted_proxies = std::move(proxies).value();
  s = SplitHostPort("http_listen", config.http_listen, &http_options.address, &http_options.port);
  if (!s.ok()) return Fail("bad configuration", s);
  http_options.web_root = config.web_root;
  http_options.max_body_bytes = config.max_request_bytes;
  http_options.threads = config.http_threads;
  http_options.federation_status = federation_status;
  std::atomic<bool> stopping{false};
  const storage::KvStore* store = (*ctx)->store.get();
  http_options.metrics_text = [store, &svc] { return RenderNodeMetrics(*store, svc); };
  // A peer counts as reachable while its stream is open or it answered within two
  // repair intervals (a stream is re-opened at least once per interval).
  http_options.readiness = [store, federation_status, federated, &stopping,
                            fresh = 2 * config.repair_interval_ms] {
    return Readiness(*store, federation_status, federated, fresh, stopping);
  };
  http_options.equivalences = &equivalences;
  http::HttpServer http_server(&svc, http_options);
  s = http_server.Start();
  if (!s.ok()) return Fail("cannot start HTTP on " + config.http_listen, s);

  // Import runs beside serving: in a federation some records name records another node
  // imports, so the import is repeated as replication brings them, until nothing is
  // missing or nothing changes any more.
  std::thread importer;
  if (!import_dir.empty()) {
    service::ImportOptions import_options = ImportOptionsOf(config);
    importer = std::thread([&svc, &stopping, import_dir, import_options, member = config.member_id] {
      try {
      size_t created = 0, updated = 0;
      for (int pass = 1; pass <= 30 && !stopping; ++pass) {
        uint64_t generation = svc.Generation();
        auto summary = service::ImportSeed(&svc, import_dir, {"import"}, {}, import_options);
        if (!summary.ok()) {
          PLOG_ERROR("passerelle node {}: import of {} failed: {}", member, import_dir,
                     summary.status().ToString());
          return;
        }
        created += summary->created;
        updated += summary->updated;
        if (summary->missing_references == 0 || pass == 30) {
          PLOG_INFO("passerelle node {}: imported {}: {} created, {} updated, {} left to other members",
                    member, import_dir, created, updated, summary->refused);
          return;
        }
        // Wait for replication to bring something new before trying again.
        uint64_t seen = svc.Generation();
        if (seen == generation) seen = svc.WaitForChange(seen, 2000);
        for (int i = 0; i < 10 && !stopping && svc.WaitForChange(seen, 200) != seen; ++i)
          seen = svc.Generation();  // let a burst of replicated ops settle
      }
      } catch (const std::exception& e) {  // never take the node down with the import
        PLOG_ERROR("passerelle node {}: import stopped: {}", member, e.what());
      }
    });
  }

  std::string grpc_host = config.grpc_listen.substr(0, config.grpc_listen.rfind(':'));
  std::string peers_text;
  if (peer_server)
    peers_text = ", peers " + peer_listen.substr(0, peer_listen.rfind(':')) + ":" +
                 std::to_string(peer_server->port()) + (tls.empty() ? " (INSECURE: no TLS)" : " (mutual TLS)");
  PLOG_INFO("passerelle node {} ready: gRPC {}:{}, web/REST http://{}:{}/{}", config.member_id,
            grpc_host, grpc_port, http_options.address, http_server.port(), peers_text);

  int sig = 0;
  sigwait(&signals, &sig);
  PLOG_INFO("passerelle node {}: {}, stopping (draining in-flight requests)", config.member_id,
            sig == SIGINT ? "SIGINT" : "SIGTERM");
  // Drain: /readyz turns 503; HTTP stops accepting and finishes answers being written;
  // gRPC refuses new calls and lets running ones finish within the grace period; then
  // replication stops and the store closes. Writes are acknowledged only after commit,
  // so whatever a client saw acknowledged is in the store when it closes.
  stopping = true;
  if (importer.joinable()) importer.join();
  http_server.Stop();
  (*grpc)->Shutdown(static_cast<int>(config.shutdown_grace_ms));
  if (sync) sync->Stop();
  if (peer_server) peer_server->Shutdown();
  ctx->reset();  // closes the store
  PLOG_INFO("passerelle node {} stopped cleanly", config.member_id);
  return 0;
}

}  // namespace passerelle::cli
