from servicekit.settings import ServiceSettings, service_config


class IntakeSettings(ServiceSettings):
    model_config = service_config("INTAKE_")

    http_port: int = 8001
