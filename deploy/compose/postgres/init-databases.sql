-- Runs once, when the compose Postgres volume is first created (docker-entrypoint-initdb.d).
-- One database and one login role per service, as scripts/infra.sh provisions locally: a service
-- owns its schema and never reads another's tables (DESIGN.md). Development-only passwords (= name).
CREATE ROLE lt_sample    LOGIN PASSWORD 'lt_sample';
CREATE ROLE lt_identity  LOGIN PASSWORD 'lt_identity';
CREATE ROLE lt_records   LOGIN PASSWORD 'lt_records';
CREATE ROLE lt_lab       LOGIN PASSWORD 'lt_lab';
CREATE ROLE lt_consent   LOGIN PASSWORD 'lt_consent';
CREATE ROLE lt_exchange  LOGIN PASSWORD 'lt_exchange';
CREATE ROLE lt_analytics LOGIN PASSWORD 'lt_analytics';

CREATE DATABASE lt_sample    OWNER lt_sample;
CREATE DATABASE lt_identity  OWNER lt_identity;
CREATE DATABASE lt_records   OWNER lt_records;
CREATE DATABASE lt_lab       OWNER lt_lab;
CREATE DATABASE lt_consent   OWNER lt_consent;
CREATE DATABASE lt_exchange  OWNER lt_exchange;
CREATE DATABASE lt_analytics OWNER lt_analytics;
