"""The Prefect flows: refresh, retention, sla-watch and process-submissions, each ordering the
plain functions of catalog/, review/ and spiders/."""
