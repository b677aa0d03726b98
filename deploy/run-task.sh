#!/usr/bin/env bash
# Run one footfall command as a one-off ECS task of a stage (the retrain task definition: same image, files,
# database and grants as the nightly retrain), wait for it, print its log, and exit with its exit code.
# Usage: deploy/run-task.sh STAGE "footfall recsys train --interactions rewards --promote"
# AWS credentials come from the environment (.github/workflows/model.yml assumes footfall-github-<stage>).
set -euo pipefail
stage=$1
command=$2

output() {  # output() STACK KEY: an output of the stage's stack
  aws cloudformation describe-stacks --stack-name "Footfall-${stage}-$1" \
    --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue" --output text
}
cluster=$(output Services ClusterName)
subnets=$(output Data TaskSubnets)
group=$(output Data TaskSecurityGroup)
overrides=$(python3 -c 'import json, sys; print(json.dumps({"containerOverrides": [{"name": "retrain", "command": [sys.argv[1]]}]}))' "$command")

task=$(aws ecs run-task --cluster "$cluster" --task-definition "footfall-${stage}-retrain" --launch-type FARGATE \
  --network-configuration "awsvpcConfiguration={subnets=[${subnets}],securityGroups=[${group}],assignPublicIp=DISABLED}" \
  --overrides "$overrides" --query 'tasks[0].taskArn' --output text)
echo "started ${task}: ${command}" >&2
while [ "$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" --query 'tasks[0].lastStatus' --output text)" != STOPPED ]; do
  sleep 20
done
aws logs get-log-events --log-group-name "/footfall/${stage}/retrain" --log-stream-name "retrain/retrain/${task##*/}" \
  --start-from-head --query 'events[].message' --output text | tr '\t' '\n'
# shellcheck disable=SC2016  # the backticks are JMESPath's literal, not a command
code=$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" \
  --query 'tasks[0].containers[?name==`retrain`].exitCode | [0]' --output text)
echo "exit code ${code}" >&2
[ "$code" = 0 ]
