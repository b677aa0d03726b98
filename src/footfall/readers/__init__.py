"""Readers: turn raw files into Arrow/Polars tables plus rejects; they never write to a warehouse."""
