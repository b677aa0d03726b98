"""Customer segmentation and prediction on transactions, and a tabular classifier (docs/ml.md).

Flow: a source (CDNOW, a file, the warehouse) gives `Transactions` (cleansed, rejects counted) →
`features` from a calibration window → `segmentation`, `prediction` (with the `btyd` baselines)
or `tabular` → `reports`, the model registry and the API (`serving`).
"""
