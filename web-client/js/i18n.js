// Labels and messages in fr, es and en; dates and numbers through Intl in the chosen
// language. The choice is remembered in localStorage ("passerelle.lang"); the default
// comes from navigator.language (fr when it is none of the three). Record content is
// never translated: it is shown as entered.
export const LANGS = ["fr", "es", "en"];

// key: [fr, es, en]; {name} placeholders are filled by t(key, {name: …}).
const T = {
  app_name: ["Passerelle", "Passerelle", "Passerelle"],
  tagline: ["Suivi des partenariats de la fédération", "Seguimiento de las alianzas de la federación", "Tracking the federation's partnerships"],
  skip: ["Aller au contenu", "Ir al contenido", "Skip to content"],
  language: ["Langue", "Idioma", "Language"],
  nav_dashboard: ["Tableau de bord", "Panel", "Dashboard"],
  nav_agreements: ["Accords", "Acuerdos", "Agreements"],
  nav_projects: ["Projets", "Proyectos", "Projects"],
  nav_forums: ["Forums", "Foros", "Forums"],
  nav_qualifications: ["Qualifications", "Cualificaciones", "Qualifications"],
  nav_equivalences: ["Équivalences", "Equivalencias", "Equivalences"],
  nav_federation: ["Fédération", "Federación", "Federation"],
  nav_search: ["Recherche", "Búsqueda", "Search"],
  main_nav: ["Navigation principale", "Navegación principal", "Main navigation"],
  logout: ["Se déconnecter", "Cerrar sesión", "Log out"],
  login_title: ["Connexion", "Iniciar sesión", "Log in"],
  username: ["Nom d'utilisateur", "Nombre de usuario", "Username"],
  password: ["Mot de passe", "Contraseña", "Password"],
  login_button: ["Se connecter", "Entrar", "Log in"],
  session_ended: ["Session terminée", "Sesión terminada", "Session ended"],
  relogin_note: ["Reconnectez-vous pour continuer : vos modifications sont gardées, enregistrez-les ensuite.", "Vuelva a iniciar sesión para continuar: sus cambios se conservan; guárdelos después.", "Log in again to go on: your changes are kept; save them afterwards."],
  relogged: ["Reconnecté : vous pouvez enregistrer.", "Sesión iniciada de nuevo: puede guardar.", "Logged in again: you can save now."],
  conflict_kept: ["Quelqu'un a modifié cet enregistrement entre-temps. Vos modifications sont gardées : enregistrez à nouveau pour les appliquer à la nouvelle version (les champs que vous n'avez pas changés gardent leurs nouvelles valeurs).", "Alguien modificó este registro mientras tanto. Sus cambios se conservan: guarde de nuevo para aplicarlos a la nueva versión (los campos que no cambió conservan sus nuevos valores).", "Someone changed this record meanwhile. Your changes are kept: save again to apply them to the new version (the fields you did not change keep their new values)."],
  discard_changes: ["Abandonner les modifications non enregistrées ?", "¿Descartar los cambios no guardados?", "Discard the unsaved changes?"],
  logout_failed: ["La déconnexion a échoué ({msg}) : vous êtes toujours connecté.", "No se pudo cerrar la sesión ({msg}): sigue conectado.", "Logging out failed ({msg}): you are still logged in."],
  f_count_invalid: ["Un nombre entier, 0 ou plus", "Un número entero, 0 o más", "A whole number, 0 or more"],
  login_failed: ["Nom d'utilisateur ou mot de passe incorrect.", "Usuario o contraseña incorrectos.", "Wrong username or password."],
  too_many: ["Trop de tentatives : réessayez dans {s} s.", "Demasiados intentos: vuelva a intentarlo en {s} s.", "Too many attempts: try again in {s} s."],
  signed_in_as: ["{user} ({role}) sur {node}", "{user} ({role}) en {node}", "{user} ({role}) on {node}"],
  loading: ["Chargement…", "Cargando…", "Loading…"],
  none: ["Aucun.", "Ninguno.", "None."],
  error: ["Erreur : {msg}", "Error: {msg}", "Error: {msg}"],
  // The node's refusals by code; its detail (in English) follows.
  "err.invalid_argument": ["Valeur refusée", "Valor rechazado", "Value refused"],
  "err.not_found": ["Introuvable", "No encontrado", "Not found"],
  "err.already_exists": ["Existe déjà", "Ya existe", "Already exists"],
  "err.aborted": ["Modifié entre-temps par quelqu'un d'autre : rechargez la page", "Modificado mientras tanto por otra persona: recargue la página", "Changed meanwhile by someone else: reload the page"],
  "err.failed_precondition": ["Impossible dans l'état actuel", "Imposible en el estado actual", "Not possible in the current state"],
  "err.permission_denied": ["Non autorisé", "No autorizado", "Not allowed"],
  "err.unauthenticated": ["Session terminée : reconnectez-vous", "Sesión terminada: vuelva a iniciar sesión", "Session ended: log in again"],
  "err.unavailable": ["Indisponible pour le moment", "No disponible por ahora", "Unavailable for now"],
  "err.resource_exhausted": ["Trop de demandes : réessayez plus tard", "Demasiadas solicitudes: vuelva a intentarlo más tarde", "Too many requests: try again later"],
  unavailable: ["Non disponible sur ce nœud.", "No disponible en este nodo.", "Not available on this node."],
  not_found: ["Introuvable.", "No encontrado.", "Not found."],
  save: ["Enregistrer", "Guardar", "Save"],
  saved: ["Enregistré.", "Guardado.", "Saved."],
  cancel: ["Annuler", "Cancelar", "Cancel"],
  edit: ["Modifier", "Editar", "Edit"],
  create: ["Créer", "Crear", "Create"],
  back: ["Retour", "Volver", "Back"],
  fix_fields: ["Corrigez les champs signalés.", "Corrija los campos señalados.", "Fix the fields shown."],
  required: ["Obligatoire.", "Obligatorio.", "Required."],
  live_on: ["Mises à jour en direct", "Actualización en vivo", "Live updates"],
  live_poll: ["Mises à jour périodiques", "Actualización periódica", "Periodic updates"],
  live_off: ["Hors ligne", "Sin conexión", "Offline"],
  updated_live: ["Mis à jour : {kind} {id}", "Actualizado: {kind} {id}", "Updated: {kind} {id}"],
  // dashboard
  counts: ["Enregistrements", "Registros", "Records"],
  expiring: ["Accords expirant dans 90 jours", "Acuerdos que vencen en 90 días", "Agreements expiring within 90 days"],
  late: ["Livrables en retard", "Entregables atrasados", "Late deliverables"],
  behind: ["Indicateurs en deçà de la cible", "Indicadores por debajo de la meta", "Indicators behind target"],
  recent_remote: ["Changements récents venant d'autres nœuds", "Cambios recientes de otros nodos", "Recent changes from other nodes"],
  map_title: ["Carte du partenariat", "Mapa de la alianza", "Partnership map"],
  map_desc: ["Institutions par pays et accords entre elles", "Instituciones por país y acuerdos entre ellas", "Institutions by country and the agreements between them"],
  map_unavailable: ["Le fond de carte n'est pas installé sur ce nœud.", "El mapa de fondo no está instalado en este nodo.", "The map outline is not installed on this node."],
  institutions_in: ["{n} institution(s) — {country}", "{n} institución(es) — {country}", "{n} institution(s) — {country}"],
  agreements_between: ["{n} accord(s) : {a} – {b}", "{n} acuerdo(s): {a} – {b}", "{n} agreement(s): {a} – {b}"],
  late_count: ["{n} en retard", "{n} atrasados", "{n} late"],
  // fields
  f_id: ["Identifiant", "Identificador", "Identifier"],
  f_title: ["Titre", "Título", "Title"],
  f_kind: ["Type", "Tipo", "Kind"],
  f_status: ["Statut", "Estado", "Status"],
  f_parties: ["Parties", "Partes", "Parties"],
  f_party: ["Partie", "Parte", "Party"],
  f_country: ["Pays", "País", "Country"],
  f_countries: ["Pays", "Países", "Countries"],
  f_role: ["Rôle", "Rol", "Role"],
  f_start_date: ["Début", "Inicio", "Start"],
  f_end_date: ["Fin", "Fin", "End"],
  f_signed_on: ["Signé le", "Firmado el", "Signed on"],
  f_purpose: ["Objet", "Objeto", "Purpose"],
  f_place: ["Lieu", "Lugar", "Place"],
  f_documents: ["Documents", "Documentos", "Documents"],
  f_documents_help: ["Un par ligne : titre | adresse", "Uno por línea: título | dirección", "One per line: title | address"],
  f_approval: ["Approbation", "Aprobación", "Approval"],
  f_theme: ["Thème", "Tema", "Theme"],
  f_program: ["Programme", "Programa", "Program"],
  f_lead_partner: ["Partenaire principal", "Socio principal", "Lead partner"],
  f_due_date: ["Échéance", "Vencimiento", "Due date"],
  f_owner: ["Responsable", "Responsable", "Owner"],
  f_evidence: ["Preuve", "Evidencia", "Evidence"],
  f_baseline: ["Référence", "Línea de base", "Baseline"],
  f_target: ["Cible", "Meta", "Target"],
  f_value: ["Valeur", "Valor", "Value"],
  f_unit: ["Unité", "Unidad", "Unit"],
  f_period: ["Période", "Período", "Period"],
  f_women: ["Femmes", "Mujeres", "Women"],
  f_men: ["Hommes", "Hombres", "Men"],
  f_participants: ["Participants", "Participantes", "Participants"],
  f_location: ["Lieu", "Lugar", "Location"],
  f_format: ["Format", "Formato", "Format"],
  f_themes: ["Thèmes", "Temas", "Themes"],
  f_themes_help: ["Un par ligne", "Uno por línea", "One per line"],
  f_policies: ["Politiques et pratiques partagées", "Políticas y prácticas compartidas", "Policies and practices shared"],
  f_outcomes: ["Résultats", "Resultados", "Outcomes"],
  f_recommendations: ["Recommandations", "Recomendaciones", "Recommendations"],
  f_level: ["Niveau", "Nivel", "Level"],
  f_levels: ["Niveaux", "Niveles", "Levels"],
  f_sector: ["Secteur", "Sector", "Sector"],
  f_scope: ["Portée", "Alcance", "Scope"],
  f_descriptors: ["Descripteurs", "Descriptores", "Descriptors"],
  f_when: ["Quand", "Cuándo", "When"],
  f_user: ["Utilisateur", "Usuario", "User"],
  f_node: ["Nœud", "Nodo", "Node"],
  f_change: ["Changement", "Cambio", "Change"],
  // agreements
  agreements_title: ["Accords", "Acuerdos", "Agreements"],
  filters: ["Filtres", "Filtros", "Filters"],
  all: ["Tous", "Todos", "All"],
  expiring_only: ["Expirant dans 90 jours", "Vencen en 90 días", "Expiring within 90 days"],
  new_agreement: ["Nouvel accord", "Nuevo acuerdo", "New agreement"],
  edit_agreement: ["Modifier l'accord", "Editar el acuerdo", "Edit agreement"],
  history: ["Historique", "Historial", "History"],
  approve: ["Approuver au nom de {member}", "Aprobar en nombre de {member}", "Approve for {member}"],
  approved: ["Approuvé", "Aprobado", "Approved"],
  approval_stale: ["Approuvé (termes modifiés depuis)", "Aprobado (términos cambiados desde entonces)", "Approved (terms changed since)"],
  approval_pending: ["En attente", "Pendiente", "Pending"],
  n_results: ["{n} résultat(s)", "{n} resultado(s)", "{n} result(s)"],
  // projects
  projects_title: ["Projets", "Proyectos", "Projects"],
  deliverables: ["Livrables", "Entregables", "Deliverables"],
  indicators: ["Indicateurs", "Indicadores", "Indicators"],
  no_country: ["Sans pays", "Sin país", "No country"],
  no_theme: ["Sans thème", "Sin tema", "No theme"],
  chart_of: ["Graphique : {name}", "Gráfico: {name}", "Chart: {name}"],
  // forums
  forums_title: ["Forums thématiques", "Foros temáticos", "Thematic forums"],
  new_forum: ["Nouveau forum", "Nuevo foro", "New forum"],
  edit_forum: ["Modifier le forum", "Editar el foro", "Edit forum"],
  by_gender: ["{w} femmes, {m} hommes sur {t}", "{w} mujeres, {m} hombres de {t}", "{w} women, {m} men of {t}"],
  // qualifications
  frameworks: ["Cadres de qualifications", "Marcos de cualificaciones", "Qualification frameworks"],
  qualifications_by_level: ["Qualifications par niveau", "Cualificaciones por nivel", "Qualifications by level"],
  no_level: ["Niveau non précisé", "Nivel no indicado", "Level not given"],
  // federation
  federation_title: ["Fédération", "Federación", "Federation"],
  this_node: ["Ce nœud : {id}", "Este nodo: {id}", "This node: {id}"],
  peers: ["Pairs", "Pares", "Peers"],
  peer: ["Pair", "Par", "Peer"],
  address: ["Adresse", "Dirección", "Address"],
  connected: ["Connecté", "Conectado", "Connected"],
  yes: ["oui", "sí", "yes"],
  no: ["non", "no", "no"],
  last_contact: ["Dernier contact", "Último contacto", "Last contact"],
  lag: ["Retard (ops)", "Retraso (ops)", "Lag (ops)"],
  ops_received: ["Ops reçues", "Ops recibidas", "Ops received"],
  refused: ["Ops refusées", "Ops rechazadas", "Refused ops"],
  digest: ["Empreinte d'état", "Huella de estado", "State digest"],
  ago: ["il y a {d}", "hace {d}", "{d} ago"],
  // search
  search_title: ["Recherche", "Búsqueda", "Search"],
  search_label: ["Rechercher dans tous les enregistrements", "Buscar en todos los registros", "Search all records"],
  search_button: ["Rechercher", "Buscar", "Search"],
  // equivalences
  equiv_title: ["Équivalences de qualifications", "Equivalencias de cualificaciones", "Qualification equivalences"],
  equiv_intro: ["Choisissez une qualification et un pays cible.", "Elija una cualificación y un país de destino.", "Pick a qualification and a target country."],
  equiv_qualification: ["Qualification (tapez pour chercher)", "Cualificación (escriba para buscar)", "Qualification (type to search)"],
  equiv_target: ["Pays cible", "País de destino", "Target country"],
  equiv_proposed: ["Inclure les correspondances proposées", "Incluir correspondencias propuestas", "Include proposed mappings"],
  equiv_note_lang: ["Langue de la note", "Idioma de la nota", "Language of the note"],
  equiv_lookup: ["Chercher les équivalences", "Buscar equivalencias", "Look up equivalences"],
  equiv_pick: ["Choisissez une qualification dans la liste.", "Elija una cualificación de la lista.", "Pick a qualification from the list."],
  equiv_selected: ["Choisie : {title}", "Elegida: {title}", "Chosen: {title}"],
  equiv_note: ["Note d'équivalence", "Nota de equivalencia", "Equivalence note"],
  equiv_source: ["Qualification d'origine", "Cualificación de origen", "Source qualification"],
  equiv_candidates: ["Niveaux candidats", "Niveles candidatos", "Candidate levels"],
  equiv_none: ["Aucun niveau correspondant trouvé.", "No se encontró ningún nivel correspondiente.", "No corresponding level found."],
  equiv_path: ["Chemin des correspondances", "Ruta de correspondencias", "Path of mappings"],
  equiv_confidence: ["Confiance : {label} ({pct})", "Confianza: {label} ({pct})", "Confidence: {label} ({pct})"],
  equiv_side: ["Descripteurs côte à côte", "Descriptores lado a lado", "Descriptors side by side"],
  equiv_dimension: ["Dimension", "Dimensión", "Dimension"],
  equiv_caveats: ["Mises en garde", "Advertencias", "Caveats"],
  equiv_problems: ["Problèmes détectés", "Problemas detectados", "Problems found"],
  equiv_quals_there: ["Qualifications à ce niveau", "Cualificaciones en este nivel", "Qualifications at this level"],
  equiv_decided: ["Décidé par {who} ; fondement : {basis}", "Decidido por {who}; fundamento: {basis}", "Decided by {who}; basis: {basis}"],
  equiv_sector_only: ["Secteur « {sector} » seulement.", "Solo el sector «{sector}».", "Sector '{sector}' only."],
  print: ["Imprimer la note", "Imprimir la nota", "Print the note"],
  printed_on: ["Établie le {date}", "Emitida el {date}", "Issued on {date}"],
  // enum values
  "kind.cooperation": ["coopération", "cooperación", "cooperation"],
  "kind.consortium": ["consortium", "consorcio", "consortium"],
  "kind.partnership": ["partenariat", "asociación", "partnership"],
  "kind.mou": ["protocole d'entente", "memorando de entendimiento", "memorandum of understanding"],
  "kind.other": ["autre", "otro", "other"],
  "status.draft": ["brouillon", "borrador", "draft"],
  "status.proposed": ["proposé", "propuesto", "proposed"],
  "status.signed": ["signé", "firmado", "signed"],
  "status.active": ["en vigueur", "vigente", "active"],
  "status.expired": ["expiré", "vencido", "expired"],
  "status.terminated": ["résilié", "rescindido", "terminated"],
  "dstatus.planned": ["prévu", "previsto", "planned"],
  "dstatus.in_progress": ["en cours", "en curso", "in progress"],
  "dstatus.delivered": ["livré", "entregado", "delivered"],
  "dstatus.late": ["en retard", "atrasado", "late"],
  "dstatus.cancelled": ["annulé", "cancelado", "cancelled"],
  "dstatus.none": ["sans statut", "sin estado", "no status"],
  "format.in_person": ["en présentiel", "presencial", "in person"],
  "format.virtual": ["virtuel", "virtual", "virtual"],
  "format.hybrid": ["hybride", "híbrido", "hybrid"],
  "strength.exact": ["référencement exact", "referenciación exacta", "exact referencing"],
  "strength.best_fit": ["meilleure correspondance", "mejor ajuste", "best fit"],
  "strength.partial": ["partielle", "parcial", "partial"],
  "strength.proposed": ["proposée seulement", "solo propuesta", "proposed only"],
  "mstatus.proposed": ["proposée", "propuesta", "proposed"],
  "mstatus.approved": ["approuvée", "aprobada", "approved"],
  "mstatus.stated": ["déclarée", "declarada", "stated"],
  "mstatus.completed": ["achevée", "completada", "completed"],
  "mstatus.planned": ["prévue", "prevista", "planned"],
  "conf.high": ["élevée", "alta", "high"],
  "conf.medium": ["moyenne", "media", "medium"],
  "conf.low": ["faible", "baja", "low"],
  "role.admin": ["administrateur", "administrador", "administrator"],
  "role.coordinator": ["coordination", "coordinación", "coordinator"],
  "role.project_lead": ["responsable de projet", "responsable de proyecto", "project lead"],
  "role.mobility_officer": ["agent de mobilité", "oficial de movilidad", "mobility officer"],
  "role.viewer": ["lecture seule", "solo lectura", "viewer"],
  "family.agreements": ["Accords", "Acuerdos", "Agreements"],
  "family.institutions": ["Institutions", "Instituciones", "Institutions"],
  "family.projects": ["Projets", "Proyectos", "Projects"],
  "family.deliverables": ["Livrables", "Entregables", "Deliverables"],
  "family.indicators": ["Indicateurs", "Indicadores", "Indicators"],
  "family.forums": ["Forums", "Foros", "Forums"],
  "family.events": ["Événements", "Eventos", "Events"],
  "family.frameworks": ["Cadres", "Marcos", "Frameworks"],
  "family.qualifications": ["Qualifications", "Cualificaciones", "Qualifications"],
  "family.mappings": ["Correspondances", "Correspondencias", "Mappings"],
  "op.create": ["création", "creación", "created"],
  "op.update": ["modification", "modificación", "updated"],
  "op.delete": ["suppression", "eliminación", "deleted"],
  "kindname.agreement": ["accord", "acuerdo", "agreement"],
  "kindname.institution": ["institution", "institución", "institution"],
  "kindname.project": ["projet", "proyecto", "project"],
  "kindname.deliverable": ["livrable", "entregable", "deliverable"],
  "kindname.indicator": ["indicateur", "indicador", "indicator"],
  "kindname.forum": ["forum", "foro", "forum"],
  "kindname.event": ["événement", "evento", "event"],
  "kindname.framework": ["cadre", "marco", "framework"],
  "kindname.qualification": ["qualification", "cualificación", "qualification"],
  "kindname.mapping": ["correspondance", "correspondencia", "mapping"],
};

function initial() {
  try {
    const saved = localStorage.getItem("passerelle.lang");
    if (LANGS.includes(saved)) return saved;
  } catch { /* storage refused: fall through */ }
  const nav = (navigator.language || "fr").slice(0, 2).toLowerCase();
  return LANGS.includes(nav) ? nav : "fr";
}

let current = initial();
export const lang = () => current;

export function setLang(l) {
  if (!LANGS.includes(l)) return;
  current = l;
  try { localStorage.setItem("passerelle.lang", l); } catch { /* not remembered */ }
  document.documentElement.lang = l;
}

// The label `key` in language `l` (default: the user's), with {placeholders} filled.
export function tr(l, key, vars = {}) {
  const row = T[key];
  let s = row ? row[LANGS.indexOf(l)] : key;
  for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}
export const t = (key, vars) => tr(current, key, vars);
// An enum value's label, or the value as entered when it has none.
export const tv = (prefix, value, l = current) => (T[`${prefix}.${value}`] ? tr(l, `${prefix}.${value}`) : value);
// A record field's label ("end_date" -> "Date de fin"), or its name when it has none.
export const fieldName = (name, l = current) => (T[`f_${name}`] ? tr(l, `f_${name}`) : name);
// A node refusal in the user's language: a summary by its code, then the node's detail.
export const errorText = (err, l = current) =>
  (T[`err.${err.code}`] ? `${tr(l, `err.${err.code}`)} — ${err.message}` : err.message);

// Dates as the API gives them: "2019", "2019-03", "2019-03-21" or an ISO timestamp.
export function fmtDate(s, l = current) {
  if (!s) return "";
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(s);
  if (m && !m[2]) return m[1];
  const d = new Date(m ? `${m[1]}-${m[2]}-${m[3] || "01"}T00:00:00Z` : s);
  if (isNaN(d)) return s;
  const opts = m ? (m[3] ? { dateStyle: "medium" } : { year: "numeric", month: "long" }) : { dateStyle: "medium", timeStyle: "short" };
  return new Intl.DateTimeFormat(l, { ...opts, timeZone: m ? "UTC" : undefined }).format(d);
}
export const fmtDateTime = (s, l = current) => { const d = new Date(s); return isNaN(d) ? (s || "") : new Intl.DateTimeFormat(l, { dateStyle: "medium", timeStyle: "short" }).format(d); };
export const fmtNum = (n, l = current, opts) => (typeof n === "number" ? new Intl.NumberFormat(l, opts).format(n) : "");
export const fmtPct = (x, l = current) => new Intl.NumberFormat(l, { style: "percent", maximumFractionDigits: 0 }).format(x);
export function fmtDuration(ms, l = current) {
  const s = ms / 1000;
  if (s < 90) return new Intl.NumberFormat(l, { style: "unit", unit: "second", maximumFractionDigits: 0 }).format(s);
  if (s < 5400) return new Intl.NumberFormat(l, { style: "unit", unit: "minute", maximumFractionDigits: 0 }).format(s / 60);
  return new Intl.NumberFormat(l, { style: "unit", unit: "hour", maximumFractionDigits: 0 }).format(s / 3600);
}
export const countryName = (cc, l = current) => {
  if (!cc) return "";
  try { return new Intl.DisplayNames([l], { type: "region" }).of(cc) || cc; } catch { return cc; }
};
