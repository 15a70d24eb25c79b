-- One database per service, as in production.
CREATE DATABASE pilot_registry;
CREATE DATABASE application_intake;
CREATE DATABASE evaluation;
