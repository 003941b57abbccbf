"""The container image, compose.yaml and the Helm chart."""
