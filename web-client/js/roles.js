// Which role writes which family (node/README.md "Sessions and roles"; the node refuses the rest anyway): the
// client only hides the buttons a role cannot use.
const WRITES = {
  viewer: [],
  mobility_officer: ["framework", "qualification", "mapping"],
  project_lead: ["project", "deliverable", "indicator"],
  coordinator: ["institution", "agreement", "project", "deliverable", "indicator", "forum", "event"],
};

export function canWrite(role, kind) {
  if (role === "admin") return true;
  return (WRITES[role] || []).includes(kind);
}
