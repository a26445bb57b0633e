from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "congvan.workflow"
    label = "workflow"
