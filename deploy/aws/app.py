"""Entry point of `cdk` (cdk.json: `python3 app.py`); the app is footfall_aws.app (docs/deploy.md)."""

from footfall_aws.app import main

main()
