"""Users (email login), teams, memberships with roles, and invitations."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core import signing
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from events import models as events
from events.models import Event


class UserManager(BaseUserManager):
    """Creates users identified by email (no username)."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person who signs in with their email address."""

    username = None
    first_name = None
    last_name = None
    name = models.CharField("full name", max_length=150, blank=True)
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        constraints = [
            # Sign-in looks users up case-insensitively, so two cases of one address can't exist.
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name or self.email


class LastOwnerError(Exception):
    """The change would leave a team without an owner."""


class TeamQuerySet(models.QuerySet):
    def for_user(self, user) -> "TeamQuerySet":
        """Teams ``user`` is a member of (none for anonymous users)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Team(models.Model):
    """A group of admins sharing Salesforce connections. Pages live under /teams/<slug>/."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    # The New team form's one-time value: a second POST of the same form (a double click)
    # finds this team instead of creating "<name>-2".
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = TeamQuerySet.as_manager()

    SLUG_ATTEMPTS = 3  # see save()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.slug:
            return super().save(*args, **kwargs)
        # Another team with the same name may take the slug between the check and the INSERT.
        for attempt in range(1, self.SLUG_ATTEMPTS + 1):
            self.slug = self.unique_slug(self.name)
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                self.slug = ""
                if attempt == self.SLUG_ATTEMPTS:
                    raise

    @classmethod
    def unique_slug(cls, name: str) -> str:
        """A slug for ``name`` not yet used by another team."""
        base = slugify(name)[:50].strip("-") or "team"
        slug, n = base, 1
        while cls.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug

    def owners_and_admins(self):
        """Users who act on this team's connections (owners and admins)."""
        return User.objects.filter(
            memberships__team=self,
            memberships__role__in=[Membership.Role.OWNER, Membership.Role.ADMIN],
            is_active=True,
        )

    def invite(self, email: str, role: str, invited_by, submission=None) -> "Invitation":
        """Create (or renew) a pending invitation for ``email``; the caller sends it.
        ``submission``: the invite form's one-time value; raises IntegrityError when an
        invitation was made with it already (a repeated POST)."""
        email = email.strip().lower()
        pending = self.invitations.filter(email__iexact=email, accepted_at__isnull=True)
        if submission is not None:  # a twin's invitation stays, so that ours can't be made
            pending = pending.exclude(submission=submission)
        with transaction.atomic():
            pending.delete()
            invitation = self.invitations.create(
                email=email, role=role, invited_by=invited_by, submission=submission
            )
            events.record(
                self,
                Event.Kind.MEMBER_INVITED,
                f"Invited {email} as {Membership.Role(role).label.lower()}.",
                invited_by,
                type=Event.Type.MEMBER_INVITED,
                member={"email": email, "role": str(role)},
            )
            return invitation


class Membership(models.Model):
    """A user's place in a team. Owners manage the team, admins manage connections,
    viewers only look."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        VIEWER = "viewer", "Viewer"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="accounts_membership_unique"),
        ]
        ordering = ["team__name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.get_role_display()})"

    RANK = {Role.VIEWER: 0, Role.ADMIN: 1, Role.OWNER: 2}

    def has_role(self, role: str) -> bool:
        """True when this membership's role is ``role`` or higher."""
        return self.RANK[self.role] >= self.RANK[role]

    def is_last_owner(self) -> bool:
        return (
            self.role == self.Role.OWNER
            and not self.team.memberships.filter(role=self.Role.OWNER).exclude(pk=self.pk).exists()
        )

    def change_role(self, role: str, actor=None) -> None:
        """Set the role; raises LastOwnerError instead of demoting the team's last owner."""
        with transaction.atomic():
            if role != self.Role.OWNER and self._is_only_owner_locked():
                raise LastOwnerError(f"{self.team} needs an owner: make someone else owner first.")
            before, self.role = self.role, role
            self.save(update_fields=["role"])
            if before != role:
                events.record(
                    self.team,
                    Event.Kind.MEMBER_ROLE_CHANGED,
                    f"{self.user} is now {self.get_role_display().lower()} "
                    f"(was {self.Role(before).label.lower()}).",
                    actor,
                    type=Event.Type.MEMBER_ROLE_CHANGED,
                    member=self.event_member(),
                    role_before=str(before),
                )

    def remove(self, actor=None) -> None:
        """Delete the membership; raises LastOwnerError for the team's last owner."""
        with transaction.atomic():
            if self._is_only_owner_locked():
                raise LastOwnerError(f"{self.team} needs an owner: make someone else owner first.")
            self.delete()
            events.record(
                self.team,
                Event.Kind.MEMBER_REMOVED,
                f"Removed {self.user} ({self.get_role_display().lower()}).",
                actor,
                type=Event.Type.MEMBER_REMOVED,
                member=self.event_member(),
            )

    def event_member(self) -> dict:
        return {"email": self.user.email, "role": str(self.role)}

    def _is_only_owner_locked(self) -> bool:
        """Lock the team's owner rows first, so two owners can't demote each other at once."""
        owners = Membership.objects.select_for_update().filter(
            team_id=self.team_id, role=self.Role.OWNER
        )
        return list(owners.values_list("pk", flat=True)) == [self.pk]


class Invitation(models.Model):
    """An emailed invitation to join a team. The link carries a signed, timestamped code:
    it expires after ``settings.INVITATION_MAX_AGE`` seconds and works once."""

    SIGNING_SALT = "accounts.invitation"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(
        max_length=10, choices=Membership.Role.choices, default=Membership.Role.ADMIN
    )
    invited_by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    # The invite form's one-time value: a second POST of the same form (a double click)
    # finds this invitation instead of sending another.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.team}"

    @property
    def expires_at(self):
        return self.created + timedelta(seconds=settings.INVITATION_MAX_AGE)

    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    def signed_token(self) -> str:
        """The opaque value in the invitation link (signed with SECRET_KEY)."""
        return signing.dumps(str(self.code), salt=self.SIGNING_SALT)

    @classmethod
    def from_token(cls, token: str) -> "Invitation":
        """Resolve a link token. Raises ``signing.SignatureExpired`` after the maximum age,
        ``signing.BadSignature`` for a forged token, ``Invitation.DoesNotExist`` if revoked."""
        code = signing.loads(token, salt=cls.SIGNING_SALT, max_age=settings.INVITATION_MAX_AGE)
        return cls.objects.select_related("team").get(code=code)

    def accept(self, user) -> Membership:
        """Add ``user`` to the team with the invited role (keeping a higher existing role)
        and mark the invitation used."""
        with transaction.atomic():
            invitation = Invitation.objects.select_for_update().get(pk=self.pk)
            if invitation.accepted_at is not None:
                raise ValueError("This invitation has already been used.")
            membership, created = Membership.objects.get_or_create(
                user=user, team=self.team, defaults={"role": self.role}
            )
            if not created and not membership.has_role(self.role):
                membership.role = self.role
                membership.save(update_fields=["role"])
            invitation.accepted_at = timezone.now()
            invitation.save(update_fields=["accepted_at"])
            events.record(
                self.team,
                Event.Kind.MEMBER_JOINED,
                f"{user} joined as {membership.get_role_display().lower()}.",
                user,
                type=Event.Type.MEMBER_JOINED,
                member=membership.event_member(),
            )
            self.accepted_at = invitation.accepted_at
        return membership
