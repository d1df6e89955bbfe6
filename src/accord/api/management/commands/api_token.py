"""`accord manage api_token create|list|revoke`: integration tokens from the command line."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.api.models import ApiToken
from accord.api.services import api_token_create, api_token_revoke
from accord.partners.models import User


class Command(BaseCommand):
    help = "Create, list or revoke API tokens. A token acts as its owner user."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a token and print its key (shown only once)")
        create.add_argument("--user", required=True, help="email of the user the token acts as")
        create.add_argument("--name", required=True, help="what uses the token, e.g. 'ERP sync'")
        listing = actions.add_parser("list", help="list tokens (never their keys)")
        listing.add_argument("--user", default="", help="only this user's tokens")
        revoke = actions.add_parser("revoke", help="revoke a token for good")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"_{action}")(**options)

    def _create(self, *, user: str, name: str, **_options) -> None:
        owner = User.objects.filter(email__iexact=user.strip()).first()
        if owner is None:
            raise CommandError(f"--user: no user with email {user!r}")
        try:
            token, key = api_token_create(user=owner, name=name)
        except ValidationError as error:
            raise CommandError("; ".join(f"--{field}: {' '.join(messages)}"
                                         for field, messages in error.message_dict.items())) from None
        self.stdout.write(f"Created token {token.pk} “{token.name}” acting as {owner.email}.")
        self.stdout.write("Key (shown only now, store it in the integration's secrets):")
        self.stdout.write(key)

    def _list(self, *, user: str = "", **_options) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("pk")
        if user:
            tokens = tokens.filter(user__email__iexact=user.strip())
        self.stdout.write(f"{'id':>5}  {'prefix':<12} {'owner':<36} {'last used':<20} {'state':<8} name")
        for token in tokens:
            used = token.last_used_at.strftime("%Y-%m-%d %H:%M") if token.last_used_at else "never"
            state = "revoked" if token.revoked_at else "active"
            self.stdout.write(f"{token.pk:>5}  {token.prefix + '…':<12} {token.user.email:<36} {used:<20} "
                              f"{state:<8} {token.name}")

    def _revoke(self, *, token_id: int, **_options) -> None:
        token = ApiToken.objects.filter(pk=token_id).first()
        if token is None:
            raise CommandError(f"no token with id {token_id}")
        api_token_revoke(token=token)
        self.stdout.write(f"Revoked token {token.pk} “{token.name}”.")
