// The users of the arabpress database, created by the mongo image on the first start of an
// empty data volume (scripts in /docker-entrypoint-initdb.d run once, as the root user).
// The crawler may read and write its database and nothing else; the data team may only
// read it. The root account stays for administration (docs/operations.md, "Users").
const name = process.env.MONGO_DATABASE || "arabpress";
const database = db.getSiblingDB(name);
const users = [
  [process.env.MONGO_CRAWLER_USERNAME, process.env.MONGO_CRAWLER_PASSWORD, "readWrite"],
  [process.env.MONGO_READER_USERNAME, process.env.MONGO_READER_PASSWORD, "read"],
];
for (const [user, pwd, role] of users) {
  if (!user || !pwd) {
    throw new Error(`create-users.js: a ${role} user needs its username and password in the environment (.env)`);
  }
  database.createUser({ user, pwd, roles: [{ role, db: name }] });
  print(`create-users.js: ${user} has ${role} on ${name}`);
}
