"""strom.gateway: how clients outside the process reach a broker.

``strom.gateway.grpc``: Zeebe's gRPC gateway protocol, so unmodified Zeebe clients (zbctl,
pyzeebe, the Java/Node/Go clients) work against Strom. See ``docs/gateway.md``.
"""
