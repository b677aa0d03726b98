"""footfall on AWS with the CDK (docs/deploy.md): one shared stack and, per stage, data, services and serving."""
