from servicekit.settings import ServiceSettings, service_config


class RoutingSettings(ServiceSettings):
    model_config = service_config("ROUTING_")

    http_port: int = 8002
