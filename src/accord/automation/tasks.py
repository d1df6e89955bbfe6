"""Background tasks: each takes an id, loads the row and calls the engine (tasks stay thin)."""

from django.tasks import task


@task
def run_action(action_id: int) -> str:
    """Perform one firing action; safe to run twice (the action row is claimed before anything happens)."""
    from accord.automation.execution import action_run

    return action_run(action_id=action_id)
