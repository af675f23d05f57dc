"""The object-store port (DESIGN.md section 3): one ObjectStore interface with a local-directory
backend and an S3 backend on the minio client. It knows nothing about the domain. Built with the
first feature that stores files (solutions, recordings); nothing is stored yet.
"""
