-- AlterTable
ALTER TABLE "jobs" ADD COLUMN     "submitted_by" TEXT;
