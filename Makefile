# Thin wrappers over npm scripts and the Terraform/AWS CLIs. Every target installs
# what it needs first; Node 24 comes from the `node` devDependency (node_modules/.bin).
SHELL := /bin/bash
.DEFAULT_GOAL := help
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

ENV ?= dev
FN ?=
EVENT ?=
SOURCE ?=
DETAIL ?=
REGION ?= ap-northeast-1

.PHONY: help install build test lint bench demo local-up invoke plan apply logs trigger sync-dev sync-prd sync-local clean

help: ## List targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

node_modules/.install-stamp: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.install-stamp ## Install pinned dependencies (npm ci)

build: install ## Bundle every function into dist/<function>.zip
	npm run build

test: install ## Run the whole test suite on Node 24 against the embedded stack
	npm test

lint: install ## Typecheck, ESLint, Prettier check, workflow validation
	npm run lint

bench: install ## Cold-start benchmark of the built zips (run `make build` first)
	npm run bench -- cold-start

demo: install ## Start the embedded stack and run every pipeline end to end on generated data
	npm run local -- demo

local-up: install ## Run PostgreSQL, S3 and DynamoDB locally until Ctrl-C
	npm run local -- up

invoke: install ## Run one handler locally: make invoke FN=csv-validator EVENT=functions/csv-validator/events/object-created.json
	@test -n "$(FN)" || { echo "FN= is required" >&2; exit 2; }
	npm run --silent invoke -- $(FN) $(if $(EVENT),--event $(EVENT),)

plan: build ## terraform plan for ENV (dev|prd), the same commands the workflow runs
	bash scripts/terraform/plan.sh $(ENV)

apply: ## terraform apply of the plan saved by `make plan ENV=…`
	bash scripts/terraform/apply.sh $(ENV)

# `aws logs tail` exists only in AWS CLI v2; scripts/ops/aws-cli.sh says so clearly
# instead of letting v1 fail with an argument error.
logs: ## Follow a deployed function's logs: make logs FN=sync-batch ENV=prd
	@test -n "$(FN)" || { echo "FN= is required" >&2; exit 2; }
	@source scripts/ops/aws-cli.sh && require_aws_cli_v2
	aws logs tail /aws/lambda/$(FN)-$(ENV) --follow --region $(REGION)

# Detail={"environment":"<ENV>"}: the rule of each environment matches only its own, and
# the script exits non-zero when EventBridge refuses the entry (the CLI itself exits 0).
trigger: ## Send a manual-trigger event to one environment: make trigger SOURCE=etl ENV=prd [DETAIL='{"date":"2026-11-30"}']
	@test -n "$(SOURCE)" || { echo "SOURCE= is required (a pipeline with a manual trigger: batch-scheduler, etl, salesforce-extract)" >&2; exit 2; }
	AWS_REGION=$(REGION) bash scripts/ops/trigger.sh $(SOURCE) $(ENV) $(if $(DETAIL),'$(DETAIL)',)

# SSM port forwarding through the environment's bastion (bastion_enabled in its tfvars);
# the script prints the psql command that reads the password from the database's secret.
.PHONY: db-tunnel
db-tunnel: ## Open localhost:LOCAL_PORT to a private database: make db-tunnel ENV=dev DB=batch-scheduler|etl-source [LOCAL_PORT=15432]
	@test -n "$(DB)" || { echo "DB= is required (batch-scheduler, etl-source, etl-analytics, csv-processor)" >&2; exit 2; }
	@AWS_REGION=$(REGION) bash scripts/ops/db-tunnel.sh $(ENV) $(DB) $(or $(LOCAL_PORT),15432)

sync-dev: ## Invoke the deployed sync-batch-dev synchronously and print its result
	bash scripts/ops/sync-remote.sh dev

sync-prd: ## Invoke the deployed sync-batch-prd synchronously and print its result
	bash scripts/ops/sync-remote.sh prd

sync-local: install ## Run the YouTube sync in-process on the embedded stack (fake API unless YOUTUBE_API_KEY is set)
	npm run local -- sync-batch

.PHONY: etl-local etl-init
etl-local: install ## Run etl end to end on the embedded stack on 5000 sample orders (two databases, S3, the three handlers)
	npm run local -- etl --init --sample-orders 5000

# Schema only by default; SAMPLE=N also inserts N sample orders, and only into a source without orders.
etl-init: ## Create the etl source and analytics schemas in ENV: make etl-init ENV=dev [SAMPLE=5000]
	@source scripts/ops/aws-cli.sh && require_aws_cli_v2
	@payload='{}'; if [ -n "$(SAMPLE)" ]; then payload='{"sampleData":true,"sampleOrders":$(SAMPLE)}'; fi; \
	  out="$$(mktemp)"; trap 'rm -f "$$out"' EXIT; \
	  meta="$$(aws lambda invoke --function-name etl-db-initializer-$(ENV) --region $(REGION) \
	    --cli-binary-format raw-in-base64-out --payload "$$payload" "$$out")" || exit 1; \
	  cat "$$out"; echo; \
	  if grep -q FunctionError <<<"$$meta"; then echo "etl-db-initializer-$(ENV) failed (see its logs: make logs FN=etl-db-initializer ENV=$(ENV))" >&2; exit 1; fi

# ENV=local reads the local ledger (npm run local -- up / api); dev and prd sign with your AWS credentials.
.PHONY: runs
runs: install ## Pipeline runs from the runs API: make runs ENV=prd [CMD='list --status FAILED' | CMD='show etl <run-id>' | CMD=report]
	npm run --silent runs -- $(or $(CMD),list) $(if $(filter local,$(ENV)),--local,--env $(ENV))

.PHONY: rehearse
rehearse: install ## Apply, re-plan, run the runbook, destroy, re-apply ENV against a local AWS emulator (moto); UPGRADE_FROM=<ref>: upgrade from that commit's apply, failing on any delete or replace
	bash scripts/rehearse/rehearse.sh $(ENV) $(if $(UPGRADE_FROM),--upgrade-from $(UPGRADE_FROM))

clean: ## Remove build output and local stack data
	rm -rf dist .local coverage
