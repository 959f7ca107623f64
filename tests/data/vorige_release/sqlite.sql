-- The DDL Leerlus 0.1.0 (commit 4627103, the last release before alembic) ran on an empty sqlite
-- database, captured from it, and the version numbers it stored. Never edit: it is the past.
CREATE TABLE saved_search (
	slug VARCHAR(120) NOT NULL, 
	naam VARCHAR(120) NOT NULL, 
	params TEXT NOT NULL, 
	aangemaakt DATETIME NOT NULL, 
	PRIMARY KEY (slug)
);

CREATE TABLE signal (
	id INTEGER NOT NULL, 
	uid VARCHAR(32) NOT NULL, 
	titel VARCHAR(300) NOT NULL, 
	toelichting TEXT NOT NULL, 
	blokkades JSON, 
	casussen JSON, 
	adressaat VARCHAR(100) NOT NULL, 
	status VARCHAR(30) NOT NULL, 
	bron_les VARCHAR(300), 
	aangemaakt DATETIME NOT NULL, 
	gewijzigd DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (uid)
);

CREATE INDEX ix_signal_bron_les ON signal (bron_les);

CREATE INDEX ix_signal_status ON signal (status);

CREATE TABLE blocker_review (
	id INTEGER NOT NULL, 
	case_id VARCHAR(200) NOT NULL, 
	code VARCHAR(100) NOT NULL, 
	beslissing VARCHAR(20) NOT NULL, 
	wie VARCHAR(120) NOT NULL, 
	confidence FLOAT, 
	evidence TEXT NOT NULL, 
	team VARCHAR(200), 
	moment DATETIME NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_blocker_review_moment ON blocker_review (moment);

CREATE INDEX ix_blocker_review_case_id ON blocker_review (case_id);

CREATE INDEX ix_blocker_review_code ON blocker_review (code);

CREATE TABLE obligation_event (
	id INTEGER NOT NULL, 
	case_id VARCHAR(200) NOT NULL, 
	nummer INTEGER NOT NULL, 
	partij VARCHAR(100) NOT NULL, 
	naar VARCHAR(30) NOT NULL, 
	wie VARCHAR(120) NOT NULL, 
	notitie TEXT NOT NULL, 
	moment DATETIME NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_obligation_event_case_id ON obligation_event (case_id);

CREATE INDEX ix_obligation_event_moment ON obligation_event (moment);

CREATE TABLE app_user (
	id INTEGER NOT NULL, 
	naam VARCHAR(80) NOT NULL, 
	rol VARCHAR(20) NOT NULL, 
	team VARCHAR(200), 
	wachtwoord_hash VARCHAR(200), 
	actief BOOLEAN NOT NULL, 
	lokaal BOOLEAN NOT NULL, 
	sessie_versie INTEGER NOT NULL, 
	aangemaakt DATETIME NOT NULL, 
	PRIMARY KEY (id)
);

CREATE UNIQUE INDEX ix_app_user_naam ON app_user (naam);

CREATE TABLE audit_log (
	id INTEGER NOT NULL, 
	moment VARCHAR(32) NOT NULL, 
	wie VARCHAR(80) NOT NULL, 
	rol VARCHAR(20) NOT NULL, 
	actie VARCHAR(40) NOT NULL, 
	object VARCHAR(300) NOT NULL, 
	casussen TEXT NOT NULL, 
	uitkomst VARCHAR(20) NOT NULL, 
	verzoek VARCHAR(64) NOT NULL, 
	adres VARCHAR(64) NOT NULL, 
	vorige_hash VARCHAR(64) NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (vorige_hash), 
	UNIQUE (hash)
);

CREATE INDEX ix_audit_log_moment ON audit_log (moment);

CREATE INDEX ix_audit_log_actie ON audit_log (actie);

CREATE TABLE "case" (
	id VARCHAR(200) NOT NULL, 
	path VARCHAR(1000) NOT NULL, 
	content_hash VARCHAR(64) NOT NULL, 
	titel VARCHAR NOT NULL, 
	soort VARCHAR(40) NOT NULL, 
	datum VARCHAR(10) NOT NULL, 
	jaar VARCHAR(4) NOT NULL, 
	regio VARCHAR, 
	team VARCHAR, 
	leeftijdscategorie VARCHAR(10), 
	besluit TEXT, 
	mandaat TEXT, 
	uitkomst TEXT, 
	hulpvraag JSON, 
	wetten JSON, 
	instanties JSON, 
	voorzieningen JSON, 
	blokkades JSON, 
	suggesties JSON, 
	blokkades_afgewezen JSON, 
	lessen_casus JSON, 
	lessen_systeem JSON, 
	verwijzingen JSON, 
	vraag TEXT, 
	grondslag TEXT, 
	partijen JSON, 
	extra JSON, 
	body_markdown TEXT NOT NULL, 
	body_html TEXT NOT NULL, 
	ingested_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_case_soort ON "case" (soort);

CREATE INDEX ix_case_regio ON "case" (regio);

CREATE INDEX ix_case_team ON "case" (team);

CREATE INDEX ix_case_datum ON "case" (datum);

CREATE UNIQUE INDEX ix_case_path ON "case" (path);

CREATE INDEX ix_case_jaar ON "case" (jaar);

CREATE TABLE leerlus_meta (
	"key" VARCHAR(50) NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY ("key")
);

CREATE TABLE signal_event (
	id INTEGER NOT NULL, 
	signal_id INTEGER NOT NULL, 
	soort VARCHAR(30) NOT NULL, 
	van VARCHAR(30), 
	naar VARCHAR(30), 
	wie VARCHAR(120) NOT NULL, 
	notitie TEXT NOT NULL, 
	casus VARCHAR(200), 
	moment DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(signal_id) REFERENCES signal (id)
);

CREATE INDEX ix_signal_event_moment ON signal_event (moment);

CREATE INDEX ix_signal_event_signal_id ON signal_event (signal_id);

CREATE TABLE api_token (
	id INTEGER NOT NULL, 
	user_id INTEGER NOT NULL, 
	label VARCHAR(120) NOT NULL, 
	prefix VARCHAR(16) NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	aangemaakt DATETIME NOT NULL, 
	ingetrokken DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(user_id) REFERENCES app_user (id), 
	UNIQUE (hash)
);

CREATE INDEX ix_api_token_user_id ON api_token (user_id);

CREATE TABLE casetag (
	case_id VARCHAR(200) NOT NULL, 
	veld VARCHAR(40) NOT NULL, 
	waarde VARCHAR(200) NOT NULL, 
	PRIMARY KEY (case_id, veld, waarde), 
	FOREIGN KEY(case_id) REFERENCES "case" (id)
);

CREATE INDEX ix_casetag_waarde ON casetag (waarde);

CREATE TABLE caselink (
	source_id VARCHAR(200) NOT NULL, 
	target_id VARCHAR(200) NOT NULL, 
	via VARCHAR(20) NOT NULL, 
	PRIMARY KEY (source_id, target_id), 
	FOREIGN KEY(source_id) REFERENCES "case" (id)
);

CREATE INDEX ix_caselink_target_id ON caselink (target_id);

CREATE TABLE mention (
	id INTEGER NOT NULL, 
	case_id VARCHAR(200) NOT NULL, 
	label VARCHAR(20) NOT NULL, 
	text VARCHAR NOT NULL, 
	canonical VARCHAR NOT NULL, 
	start INTEGER NOT NULL, 
	"end" INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(case_id) REFERENCES "case" (id)
);

CREATE INDEX ix_mention_canonical ON mention (canonical);

CREATE INDEX ix_mention_case_id ON mention (case_id);

CREATE TABLE blockerfinding (
	id INTEGER NOT NULL, 
	case_id VARCHAR(200) NOT NULL, 
	code VARCHAR(100) NOT NULL, 
	source VARCHAR(20) NOT NULL, 
	evidence TEXT, 
	start INTEGER, 
	"end" INTEGER, 
	confidence FLOAT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(case_id) REFERENCES "case" (id)
);

CREATE INDEX ix_blockerfinding_case_id ON blockerfinding (case_id);

CREATE INDEX ix_blockerfinding_code ON blockerfinding (code);

CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'het auditlog wordt alleen aangevuld'); END;

CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'het auditlog wordt alleen aangevuld'); END;

INSERT INTO leerlus_meta (key, value) VALUES ('schema', '4'), ('gebruikersdata', '5');
