// The equivalence engine: from a source level (a qualification's, or a framework's
// level) to candidate levels of a target country and/or framework, through paths of
// level mappings, each read in either direction with its strength. Pure and bounded:
// at most kMaxSteps mappings per path, simple paths only. Confidence, caveats and
// problems are defined in node/README.md ("Equivalences"). Thread-safe over a const Graph.
#pragma once

#include <string>
#include <vector>

#include "node/equivalence/graph.h"

namespace passerelle::equivalence {

// A path longer than this says little; it also bounds the work per query.
constexpr int kMaxSteps = 4;
// Qualifications listed per candidate level (the rest are counted).
constexpr size_t kMaxQualificationsPerLevel = 20;

struct Query {
  LevelRef source;                  // must be a node of the graph
  std::string source_qualification;  // informative: excluded from the candidates
  std::string target_country;        // ISO 3166-1; empty: any
  std::string target_framework;      // empty: any (at least one of the two is set)
  std::string sector;                // empty: any; else a case-insensitive substring
  // The source qualification's sector: sector-specific mappings of another sector are
  // not followed (sector, when given, decides instead). Without either, a path never
  // joins sector-specific mappings of two different sectors.
  std::string source_sector;
  bool include_proposed = false;     // follow proposed / planned mappings too
  bool reverse = false;              // paths told from each candidate to the source
  int max_steps = kMaxSteps;
};

struct Caveat {
  std::string code;     // proposed_mapping | dimension_differs | framework_in_development |
                        // strength_unstated | sector_specific
  std::string subject;  // the mapping, dimension or framework concerned
};

struct Step {
  uint32_t mapping;  // index into Graph::mappings()
  LevelRef from, to;  // as travelled (swapped from the mapping's when read backwards)
  bool stated;        // travelled in the mapping's stated direction
  std::string strength;  // exact | best_fit | partial | proposed
  double weight;
};

struct Candidate {
  LevelRef level;
  std::vector<uint32_t> qualifications;  // up to kMaxQualificationsPerLevel
  size_t qualifications_total = 0;
  std::vector<Step> path;
  double confidence = 0;
  std::vector<Caveat> caveats;
};

struct Problem {
  std::string kind;  // cycle | contradiction | not_authority
  std::vector<std::string> mapping_ids;
  LevelRef level;    // where it was found
  std::string detail;  // e.g. the framework of a contradiction
};

struct Answer {
  std::vector<Candidate> candidates;  // best confidence first
  std::vector<Problem> problems;
  size_t edges_examined = 0;          // work done (for tests of the bound)
};

// A dimension one level has and the other lacks multiplies a step's weight by this.
constexpr double kDimensionFactor = 0.9;

// Weight of a mapping as a step (README: exact 1.0, best_fit 0.8, partial or unstated
// 0.5; proposed / planned x0.5).
double StepWeight(const LevelMapping& m);
// Confidence label: high >= 0.75, medium >= 0.45, else low.
const char* ConfidenceLabel(double confidence);

Answer Lookup(const Graph& graph, const Query& query);

}  // namespace passerelle::equivalence
