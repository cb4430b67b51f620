"""Stored files: the content-addressed file store, packs of many blobs written as one, and the store as email
intake uses it (durable once per batch, attachments read from their raw message). Infrastructure the domain
stores its files through; the domain rules live beside this package, not in it."""
